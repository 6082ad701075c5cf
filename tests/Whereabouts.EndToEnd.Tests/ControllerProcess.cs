namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The published controller (artifacts/controller/whereabouts-controller, or WHEREABOUTS_CONTROLLER_BINARY) as a
/// real process, with a metrics port of its own; ready once its pod index is synced.
/// </summary>
public sealed class ControllerProcess : IAsyncDisposable
{
    public static string Path { get; } =
        Environment.GetEnvironmentVariable("WHEREABOUTS_CONTROLLER_BINARY") is { Length: > 0 } p ? p
        : System.IO.Path.Combine(PluginBinary.RepoRoot, "artifacts", "controller", "whereabouts-controller");

    readonly ChildProcess process;

    public int MetricsPort { get; }
    public string Identity { get; }

    ControllerProcess(ChildProcess process, int metricsPort, string identity)
    {
        this.process = process;
        MetricsPort = metricsPort;
        Identity = identity;
    }

    /// <summary>A controller for <paramref name="kubeconfig"/>, with short Lease timings; <paramref name="extraArgs"/> adds or overrides.</summary>
    public static async Task<ControllerProcess> Start(string kubeconfig, string identity, string extraArgs = "")
    {
        if (!File.Exists(Path))
            throw new FileNotFoundException($"controller not found at {Path}: run `dotnet publish src/Whereabouts.Controller -c Release -o artifacts/controller` or set WHEREABOUTS_CONTROLLER_BINARY");
        var port = ChildProcess.FreePort();
        var child = ChildProcess.Start(Path,
            $"--kubeconfig {kubeconfig} --identity {identity} --metrics-address 127.0.0.1:{port} " +
            $"--lease-duration-ms 3000 --renew-deadline-ms 2000 --retry-period-ms 500 {extraArgs}", "the controller");
        var controller = new ControllerProcess(child, port, identity);
        await child.WaitReady($"http://127.0.0.1:{port}/readyz", TimeSpan.FromSeconds(30));
        return controller;
    }

    public string Output => process.Output;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    public async Task<string> Metrics()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
    }

    /// <summary>The value of one series (name with its labels as printed, e.g. <c>whereabouts_reclaimed_addresses_total{reason="pod_gone"}</c>), 0 if absent.</summary>
    public async Task<double> Metric(string series) => ChildProcess.Metric(await Metrics(), series);

    public async Task<bool> Leads() => await Metric("whereabouts_controller_leader") == 1;

    /// <summary>Reclaimed addresses, every reason.</summary>
    public async Task<double> Reclaimed()
    {
        var page = await Metrics();
        return ChildProcess.Metric(page, "whereabouts_reclaimed_addresses_total{reason=\"pod_gone\"}")
            + ChildProcess.Metric(page, "whereabouts_reclaimed_addresses_total{reason=\"pod_terminal\"}");
    }

    /// <summary>SIGKILL: whatever it was doing is left half-done.</summary>
    public Task Kill() => process.Kill();

    /// <summary>SIGTERM: stop the work, give up the Lease, exit.</summary>
    public void Terminate() => process.Terminate();

    public Task WaitForExit() => process.WaitForExit();

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
