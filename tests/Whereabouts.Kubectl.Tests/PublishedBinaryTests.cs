using System.Diagnostics;

namespace Whereabouts.Kubectl.Tests;

/// <summary>
/// The published executable (ReadyToRun, its own Program.cs and console) prints what the in-process command
/// table prints. Its path comes from WHEREABOUTS_KUBECTL_BINARY, else artifacts/kubectl/kubectl-whereabouts at
/// the repository root (what test.sh publishes).
/// </summary>
public sealed class PublishedBinaryTests(PlantedWorld fixture) : IClassFixture<PlantedWorld>
{
    static string Binary =>
        Environment.GetEnvironmentVariable("WHEREABOUTS_KUBECTL_BINARY") is { Length: > 0 } p ? p
        : Path.Combine(RepoRoot(), "artifacts", "kubectl", "kubectl-whereabouts");

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Whereabouts.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("no Whereabouts.sln above " + AppContext.BaseDirectory);
    }

    static async Task<Run> Exec(params string[] args)
    {
        if (!File.Exists(Binary))
            throw new FileNotFoundException($"kubectl-whereabouts not found at {Binary}: run `dotnet publish src/Whereabouts.Kubectl -c Release -o artifacts/kubectl` or set WHEREABOUTS_KUBECTL_BINARY");
        var start = new ProcessStartInfo(Binary, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["HOME"] = "/nonexistent";
        start.Environment.Remove("KUBECONFIG");
        start.Environment.Remove("COLUMNS");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Run(process.ExitCode, await output, await error);
    }

    [Theory]
    [InlineData("check", "-o", "json")]
    [InlineData("show", "default/web-1", "-o", "yaml")]
    [InlineData("pools", "-o", "json")]
    public async Task TheBinaryPrintsWhatTheCommandTablePrints(params string[] args)
    {
        var real = await Exec([.. args, "--kubeconfig", fixture.World.Kubeconfig]);
        var inProcess = await fixture.World.Run(args);
        Assert.Equal((inProcess.Code, ""), (real.Code, real.Error));
        // Ages are measured by the real clock there, by a still one here.
        if (args[0] != "show") Assert.Equal(inProcess.Out.TrimEnd(), real.Out.Replace("\r\n", "\n").TrimEnd());
        else Assert.Contains("fd00:10::8000:0:0:5", real.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APipedTableIsNeverWrapped()
    {
        var run = await Exec("check", "--kubeconfig", fixture.World.Kubeconfig);
        Assert.Equal(ExitCodes.Findings, run.Code);
        Assert.Contains(run.Out.Split('\n'), l => l.StartsWith("held twice ", StringComparison.Ordinal) && l.Contains("by reservation 10.10.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UsageErrorsAreExitTwoOnStderr()
    {
        var run = await Exec("frobnicate");
        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Contains("frobnicate", run.Error, StringComparison.Ordinal);
    }
}
