using Snapshooter;
using Snapshooter.Xunit;

namespace Whereabouts.Kubectl.Tests;

/// <summary>The help texts, as an operator reads them, and the usage errors' exit code.</summary>
public sealed class HelpScenarios
{
    static readonly Dictionary<string, string> NoEnvironment = new() { ["HOME"] = "/nonexistent" };

    [Theory]
    [InlineData("root", "--help")]
    [InlineData("pools", "pools --help")]
    [InlineData("show", "show --help")]
    [InlineData("check", "check --help")]
    [InlineData("release", "release --help")]
    [InlineData("import", "import --help")]
    public async Task HelpReadsWell(string what, string args) =>
        Snapshot.Match((await Kubectl.RunWith(NoEnvironment, args.Split(' '))).Transcript, SnapshotNameExtension.Create(what));

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("pools --output xml")]
    [InlineData("show")]
    [InlineData("pools --interval 0")]
    public async Task AWrongCommandLineIsAUsageError(string args) =>
        Assert.Equal(ExitCodes.Usage, (await Kubectl.RunWith(NoEnvironment, args.Split(' '))).Code);
}
