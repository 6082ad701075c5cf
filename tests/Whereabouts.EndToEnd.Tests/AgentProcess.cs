using System.Globalization;
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

    readonly ChildProcess process;
    readonly TempDir dir;

    public string Socket { get; }
    public int MetricsPort { get; }

    /// <summary>What the plugin needs to forward to this agent.</summary>
    public Dictionary<string, string> Env => new() { ["WHEREABOUTS_NODE_SOCKET"] = Socket };

    AgentProcess(ChildProcess process, TempDir dir, string socket, int metricsPort)
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
        var port = ChildProcess.FreePort();
        var child = ChildProcess.Start(Path, $"{datastoreArgs} --socket {socket} --metrics-address 127.0.0.1:{port} {extraArgs}", "the agent");
        var agent = new AgentProcess(child, dir, socket, port);
        await child.WaitReady($"http://127.0.0.1:{port}/readyz", TimeSpan.FromSeconds(30), () => File.Exists(socket));
        return agent;
    }

    public string Output => process.Output;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    /// <summary>whereabouts_node_requests_total for this verb and result ("ok", "error", "declined", "rejected").</summary>
    public async Task<int> Served(string verb, string result = "ok") =>
        (int)ChildProcess.Metric(await Metrics(), $"whereabouts_node_requests_total{{verb=\"{verb}\",result=\"{result}\"}}");

    /// <summary>Every request through the agent, whatever its verb and result.</summary>
    public async Task<int> ServedAll() =>
        MetricLine().Matches(await Metrics()).Sum(m => (int)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    async Task<string> Metrics()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");
    }

    [GeneratedRegex("^whereabouts_node_requests_total\\{[^}]*\\} (\\S+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();

    /// <summary>SIGKILL: the agent dies with whatever it was doing half-done.</summary>
    public Task Kill() => process.Kill();

    /// <summary>SIGTERM: the agent stops taking requests, finishes those in flight, and exits.</summary>
    public void Terminate() => process.Terminate();

    public Task WaitForExit() => process.WaitForExit();

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        dir.Dispose();
    }
}
