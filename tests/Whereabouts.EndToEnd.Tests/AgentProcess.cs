using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The published node agent (artifacts/node/whereabouts-node, or WHEREABOUTS_NODE_BINARY) as a real process,
/// on a socket and a metrics port of its own. <see cref="Env"/> is what a plugin run needs to be its client.
/// </summary>
public sealed partial class AgentProcess : IAsyncDisposable
{
    public static string Path { get; } =
        Environment.GetEnvironmentVariable("WHEREABOUTS_NODE_BINARY") is { Length: > 0 } p ? p
        : System.IO.Path.Combine(PluginBinary.RepoRoot, "artifacts", "node", "whereabouts-node");

    readonly Process process;
    readonly TempDir dir;
    readonly System.Text.StringBuilder output = new();

    public string Socket { get; }
    public int MetricsPort { get; }

    /// <summary>What the plugin needs to forward to this agent.</summary>
    public Dictionary<string, string> Env => new() { ["WHEREABOUTS_NODE_SOCKET"] = Socket };

    AgentProcess(Process process, TempDir dir, string socket, int metricsPort)
    {
        this.process = process;
        this.dir = dir;
        Socket = socket;
        MetricsPort = metricsPort;
    }

    /// <summary>The agent for <paramref name="datastoreArgs"/> (e.g. "--datastore file --file-dir D"), once it serves and is ready.</summary>
    public static async Task<AgentProcess> Start(string datastoreArgs, string extraArgs = "")
    {
        if (!File.Exists(Path))
            throw new FileNotFoundException($"node agent not found at {Path}: run `dotnet publish src/Whereabouts.Node -c Release -o artifacts/node` or set WHEREABOUTS_NODE_BINARY");
        var dir = new TempDir();
        var socket = System.IO.Path.Combine(dir.Path, "run", "node.sock");
        var port = FreePort();
        var info = new ProcessStartInfo(Path, $"{datastoreArgs} --socket {socket} --metrics-address 127.0.0.1:{port} {extraArgs}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var agent = new AgentProcess(Process.Start(info)!, dir, socket, port);
        agent.process.OutputDataReceived += (_, e) => agent.Record(e.Data);
        agent.process.ErrorDataReceived += (_, e) => agent.Record(e.Data);
        agent.process.BeginOutputReadLine();
        agent.process.BeginErrorReadLine();
        await agent.WaitReady(TimeSpan.FromSeconds(30));
        return agent;
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
            if (process.HasExited) throw new InvalidOperationException($"the agent exited with {process.ExitCode}:\n{Output}");
            try
            {
                if (File.Exists(Socket) && (await http.GetAsync($"http://127.0.0.1:{MetricsPort}/readyz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the agent was not ready within {within}:\n{Output}");
    }

    /// <summary>whereabouts_node_requests_total for this verb and result ("ok", "error", "declined", "rejected").</summary>
    public async Task<int> Served(string verb, string result = "ok")
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
        var m = Regex.Match(text, $"^whereabouts_node_requests_total\\{{verb=\"{verb}\",result=\"{result}\"\\}} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? (int)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Every request through the agent, whatever its verb and result.</summary>
    public async Task<int> ServedAll()
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
        return MetricLine().Matches(text).Sum(m => (int)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("^whereabouts_node_requests_total\\{[^}]*\\} (\\S+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();

    /// <summary>SIGKILL: the agent dies with whatever it was doing half-done.</summary>
    public async Task Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the agent stops taking requests, finishes those in flight, and exits.</summary>
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
        dir.Dispose();
    }
}
