using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Whereabouts.AgentLoad;

/// <summary>A directory for the run, with an admin flat file that lets the benchmark's kubeconfig be named.</summary>
sealed class WorkDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("wb-agent-load-").FullName;
    public string AdminFlatFile { get; }

    public WorkDir()
    {
        AdminFlatFile = System.IO.Path.Combine(Path, "admin.conf");
        File.WriteAllText(AdminFlatFile, """{"allowed_kubeconfig_dirs":["/"],"allowed_log_dirs":["/"]}""");
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The published plugin as a process, timed from start to exit.</summary>
sealed class PluginRunner(string binary, string adminFlatFile)
{
    public static readonly Dictionary<string, string> Direct = new() { ["WHEREABOUTS_NODE_SOCKET"] = "none" };

    public Task<(int Exit, string Stdout, double Ms)> Add(string conf, string id, Dictionary<string, string> env) => Run(binary, "ADD", conf, id, env);

    /// <summary>Any CNI plugin through the same launcher (host-local's VERSION is the floor a process start sets).</summary>
    public async Task<(int Exit, string Stdout, double Ms)> Run(string plugin, string verb, string conf, string id, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo(plugin) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in Cni.Env(verb, id, adminFlatFile)) info.Environment[k] = v;
        foreach (var (k, v) in env) info.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(info)!;
        await p.StandardInput.WriteAsync(conf);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var ms = clock.Elapsed.TotalMilliseconds;
        return (p.ExitCode, await stdout + await stderr, ms);
    }
}

static class Cni
{
    public static Dictionary<string, string> Env(string verb, string id, string adminFlatFile) => new()
    {
        ["CNI_COMMAND"] = verb,
        ["CNI_CONTAINERID"] = id,
        ["CNI_NETNS"] = "/var/run/netns/bench",
        ["CNI_IFNAME"] = "net1",
        ["CNI_PATH"] = "/opt/cni/bin",
        ["CNI_ARGS"] = $"IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME={id}",
        ["WHEREABOUTS_FLAT_FILE"] = adminFlatFile,
    };
}

/// <summary>One published agent (a simulated node): its socket, its metrics port, and the plugin's wire request sent straight to it.</summary>
sealed partial class AgentRunner : IAsyncDisposable
{
    readonly Process process;
    readonly string adminFlatFile;
    readonly string node;
    public string Socket { get; }
    public int Port { get; }
    public Dictionary<string, string> Env => new() { ["WHEREABOUTS_NODE_SOCKET"] = Socket, ["NODENAME"] = node };

    AgentRunner(Process process, string socket, int port, string adminFlatFile, string node) =>
        (this.process, Socket, Port, this.adminFlatFile, this.node) = (process, socket, port, adminFlatFile, node);

    public static async Task<AgentRunner> Start(string binary, WorkDir work, string datastoreArgs, string node)
    {
        var socket = Path.Combine(work.Path, node, "node.sock");
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var info = new ProcessStartInfo(binary, $"{datastoreArgs} --socket {socket} --metrics-address 127.0.0.1:{port}")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        var p = Process.Start(info)!;
        // AGENT_LOAD_LOGS=DIR keeps each agent's log (DIR/node-N.log) for looking into a slow row.
        var logs = Environment.GetEnvironmentVariable("AGENT_LOAD_LOGS");
        var log = logs is { Length: > 0 } ? new StreamWriter(Path.Combine(logs, node + ".log")) { AutoFlush = true } : null;
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (p) log?.WriteLine(e.Data); };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        var agent = new AgentRunner(p, socket, port, work.AdminFlatFile, node);
        using var http = new HttpClient();
        for (var i = 0; i < 600; i++)
        {
            try { if (File.Exists(socket) && (await http.GetAsync($"http://127.0.0.1:{port}/readyz")).IsSuccessStatusCode) return agent; }
            catch (HttpRequestException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"agent {node} did not become ready");
    }

    public async Task<(int Exit, string Stdout, double Ms)> Forward(string verb, string conf, string id)
    {
        var env = Cni.Env(verb, id, adminFlatFile);
        env["NODENAME"] = node;
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["env"] = env, ["stdin"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(conf)) });
        var clock = Stopwatch.StartNew();
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket));
        await s.SendAsync(Encoding.ASCII.GetBytes($"POST /v1/cni HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        await s.SendAsync(body);
        using var answer = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = await s.ReceiveAsync(buffer)) > 0) answer.Write(buffer, 0, n);
        var ms = clock.Elapsed.TotalMilliseconds;
        var text = Encoding.UTF8.GetString(answer.ToArray());
        using var reply = JsonDocument.Parse(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        var exit = reply.RootElement.TryGetProperty("exitCode", out var e) ? e.GetInt32() : -1;
        return (exit, reply.RootElement.TryGetProperty("stdout", out var o) ? o.GetString() ?? "" : text, ms);
    }

    public async Task<double> Metric(string name)
    {
        using var http = new HttpClient();
        var m = Regex.Match(await http.GetStringAsync($"http://127.0.0.1:{Port}/metrics"), $"^{Regex.Escape(name)} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
