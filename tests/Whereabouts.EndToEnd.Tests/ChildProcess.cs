using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// A published long-running binary (node agent, controller) run by a test: its output kept for failure
/// messages, ready once its HTTP probe answers 200, its Prometheus metrics read, stopped by SIGTERM or SIGKILL.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    readonly Process process;
    readonly System.Text.StringBuilder output = new();
    readonly string what;

    ChildProcess(Process process, string what)
    {
        this.process = process;
        this.what = what;
    }

    /// <summary>Starts <paramref name="path"/>; <paramref name="what"/> names it in messages ("the agent").</summary>
    public static ChildProcess Start(string path, string arguments, string what)
    {
        var info = new ProcessStartInfo(path, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var child = new ChildProcess(Process.Start(info)!, what);
        child.process.OutputDataReceived += (_, e) => child.Record(e.Data);
        child.process.ErrorDataReceived += (_, e) => child.Record(e.Data);
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        return child;
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

    /// <summary>Waits until <paramref name="probe"/> answers 200 and <paramref name="alsoReady"/> holds; fails if the process exits first.</summary>
    public async Task WaitReady(string probe, TimeSpan within, Func<bool>? alsoReady = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited) throw new InvalidOperationException($"{what} exited with {process.ExitCode}:\n{Output}");
            try
            {
                if ((alsoReady?.Invoke() ?? true) && (await http.GetAsync(probe)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{what} was not ready within {within}:\n{Output}");
    }

    /// <summary>The value of one series in a Prometheus text page (name with its labels as printed), 0 if absent.</summary>
    public static double Metric(string page, string series)
    {
        var m = Regex.Match(page, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>SIGKILL: whatever it was doing is left half-done.</summary>
    public async Task Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the process's own graceful shutdown.</summary>
    public void Terminate()
    {
        if (!process.HasExited) Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
    }

    public Task WaitForExit() => process.WaitForExitAsync();

    public static int FreePort()
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
