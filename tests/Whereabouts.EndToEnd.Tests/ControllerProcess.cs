using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The published controller (artifacts/controller/whereabouts-controller, or WHEREABOUTS_CONTROLLER_BINARY) as a
/// real process, with a metrics port of its own; ready once its pod index is synced.
/// </summary>
public sealed partial class ControllerProcess : IAsyncDisposable
{
    public static string Path { get; } =
        Environment.GetEnvironmentVariable("WHEREABOUTS_CONTROLLER_BINARY") is { Length: > 0 } p ? p
        : System.IO.Path.Combine(PluginBinary.RepoRoot, "artifacts", "controller", "whereabouts-controller");

    readonly Process process;
    readonly System.Text.StringBuilder output = new();

    public int MetricsPort { get; }
    public string Identity { get; }

    ControllerProcess(Process process, int metricsPort, string identity)
    {
        this.process = process;
        MetricsPort = metricsPort;
        Identity = identity;
    }

    /// <summary>A controller for <paramref name="kubeconfig"/>, with short timings unless <paramref name="extraArgs"/> says otherwise.</summary>
    public static async Task<ControllerProcess> Start(string kubeconfig, string identity, string extraArgs = "")
    {
        if (!File.Exists(Path))
            throw new FileNotFoundException($"controller not found at {Path}: run `dotnet publish src/Whereabouts.Controller -c Release -o artifacts/controller` or set WHEREABOUTS_CONTROLLER_BINARY");
        var port = FreePort();
        var info = new ProcessStartInfo(Path,
            $"--kubeconfig {kubeconfig} --identity {identity} --metrics-address 127.0.0.1:{port} " +
            $"--lease-duration-ms 3000 --renew-deadline-ms 2000 --retry-period-ms 500 {extraArgs}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var controller = new ControllerProcess(Process.Start(info)!, port, identity);
        controller.process.OutputDataReceived += (_, e) => controller.Record(e.Data);
        controller.process.ErrorDataReceived += (_, e) => controller.Record(e.Data);
        controller.process.BeginOutputReadLine();
        controller.process.BeginErrorReadLine();
        await controller.WaitReady(TimeSpan.FromSeconds(30));
        return controller;
    }

    void Record(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    async Task WaitReady(TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited) throw new InvalidOperationException($"the controller exited with {process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{MetricsPort}/readyz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the controller was not ready within {within}:\n{Output}");
    }

    public async Task<string> Metrics()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
    }

    /// <summary>The value of one series (name with its labels as printed, e.g. <c>whereabouts_reclaimed_addresses_total{reason="pod_gone"}</c>), 0 if absent.</summary>
    public async Task<double> Metric(string series)
    {
        var text = await Metrics();
        var m = Regex.Match(text, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    public async Task<bool> Leads() => await Metric("whereabouts_controller_leader") == 1;

    /// <summary>Reclaimed addresses, every reason.</summary>
    public async Task<double> Reclaimed() =>
        await Metric("whereabouts_reclaimed_addresses_total{reason=\"pod_gone\"}") + await Metric("whereabouts_reclaimed_addresses_total{reason=\"pod_terminal\"}");

    /// <summary>SIGKILL: whatever it was doing is left half-done.</summary>
    public async Task Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: stop the work, give up the Lease, exit.</summary>
    public void Terminate()
    {
        if (!process.HasExited) Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
    }

    public Task WaitForExit() => process.WaitForExitAsync();

    static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await Kill();
        process.Dispose();
    }
}
