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

    [Fact]
    public async Task AnApiServerThatCannotBeReachedIsExitThree()
    {
        var dir = Path.Combine(Path.GetTempPath(), "wb-kubectl-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """);
        var run = await Kubectl.Run(kubeconfig, "pools");
        Directory.Delete(dir, true);
        Assert.Equal(ExitCodes.Unavailable, run.Code);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingContextIsExitThree()
    {
        await using var world = await World.Empty();
        var run = await world.Run("pools", "--context", "nope");
        Assert.Equal(ExitCodes.Unavailable, run.Code);
        Assert.Contains("nope", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubeconfigComesFromTheEnvironmentAndTheNamespaceFromTheContext()
    {
        await using var world = await World.Empty();
        var other = world.Server.WriteKubeconfig(world.Kubeconfig + ".other", "whereabouts");
        world.Server.Put("ippools", "whereabouts", new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "10.5.0.0-24" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["range"] = "10.5.0.0/24", ["allocations"] = new System.Text.Json.Nodes.JsonObject() },
        });
        var fromEnv = await Kubectl.RunWith(new Dictionary<string, string> { ["KUBECONFIG"] = "/nonexistent:" + other }, ["pools", "-o", "json"]);
        var overridden = await Kubectl.RunWith(new Dictionary<string, string> { ["KUBECONFIG"] = other }, ["pools", "-n", "kube-system"]);
        Assert.Equal(0, fromEnv.Code);
        Assert.Contains("10.5.0.0-24", fromEnv.Out, StringComparison.Ordinal);
        Assert.Contains("no pools in kubernetes (namespace kube-system)", overridden.Out, StringComparison.Ordinal);
    }
}
