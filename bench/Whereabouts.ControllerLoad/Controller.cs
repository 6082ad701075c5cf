using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Whereabouts.ControllerLoad;

/// <summary>The published controller as a process: its metrics, and its peak RSS from /proc.</summary>
sealed partial class Controller : IAsyncDisposable
{
    readonly Process process;
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    public int Port { get; }

    Controller(Process process, int port) { this.process = process; Port = port; }

    public static async Task<Controller> Start(string binary, string kubeconfig, string args)
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var info = new ProcessStartInfo(binary, $"--kubeconfig {kubeconfig} --identity bench --metrics-address 127.0.0.1:{port} {args}")
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var c = new Controller(Process.Start(info)!, port);
        c.process.ErrorDataReceived += (_, _) => { };
        c.process.OutputDataReceived += (_, _) => { };
        c.process.BeginErrorReadLine();
        c.process.BeginOutputReadLine();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < until)
        {
            try { if ((await c.http.GetAsync($"http://127.0.0.1:{port}/readyz")).IsSuccessStatusCode) return c; }
            catch (HttpRequestException) { }
            await Task.Delay(20);
        }
        throw new TimeoutException("the controller was not ready");
    }

    public async Task<double> Metric(string series)
    {
        var text = await http.GetStringAsync($"http://127.0.0.1:{Port}/metrics");
        var m = Regex.Match(text, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Peak resident set (VmHWM) in MB.</summary>
    public double PeakRssMb()
    {
        var line = File.ReadAllLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return double.Parse(Digits().Match(line).Value, CultureInfo.InvariantCulture) / 1024;
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(true);
        await process.WaitForExitAsync();
        process.Dispose();
        http.Dispose();
    }
}
