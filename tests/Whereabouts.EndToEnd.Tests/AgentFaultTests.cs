using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The node agent under faults, with the real plugin as its client and the API test server behind it: killed
/// mid-batch, stopped with requests in flight, over its in-flight limit, sent too much or too little.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentFaultTests : IAsyncLifetime
{
    readonly TempDir dir = new();
    KubeTestServer.KubeTestServer server = null!;
    string kubeconfig = "";

    public async Task InitializeAsync()
    {
        server = await KubeTestServer.KubeTestServer.StartAsync();
        kubeconfig = server.WriteKubeconfig(System.IO.Path.Combine(dir.Path, "whereabouts.kubeconfig"));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }

    string Conf(string range = "10.50.0.0/26") =>
        PluginBinary.Conf("1.1.0", $$$"""{"type":"whereabouts","range":"{{{range}}}","kubernetes":{"kubeconfig":"{{{kubeconfig}}}"}}""");

    string AgentArgs => $"--datastore kubernetes --kubeconfig {kubeconfig}";

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();

    Dictionary<string, string> Holders(string pool = "10.50.0.0-26") =>
        server.Get("ippools", "kube-system", pool) is { } p
            ? p["spec"]!["allocations"]!.AsObject().ToDictionary(kv => (string)kv.Value!["id"]!, kv => kv.Key)
            : [];

    [Fact]
    public async Task AnAgentKilledMidBatchLeavesNoAddressHeldTwiceAndEveryPrintedAddressStored()
    {
        var agent = await AgentProcess.Start(AgentArgs);
        // Slow API: the agent is part-way through its rounds when it dies; each plugin then goes direct, once.
        server.Faults.Latency = TimeSpan.FromMilliseconds(150);
        var adds = Enumerable.Range(0, 20).Select(i => Run("ADD", Conf(), $"pod-{i}", pod: $"default/pod-{i}", env: agent.Env)).ToArray();
        await Task.Delay(400);
        await agent.Kill();
        var results = await Task.WhenAll(adds);
        server.Faults.Latency = TimeSpan.Zero;

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr));
        var printed = results.Select(r => AddressOf(r.Stdout)).ToArray();
        Assert.Equal(20, printed.Distinct().Count());
        var holders = Holders();
        Assert.Equal(20, holders.Count);
        Assert.Equal(20, holders.Values.Distinct().Count());
        for (var i = 0; i < 20; i++)
            Assert.Equal(printed[i], $"10.50.0.{int.Parse(holders[$"pod-{i}"])}/26");
        await agent.DisposeAsync();
    }

    [Fact]
    public async Task SigtermLetsTheRequestsInFlightFinishThroughTheAgent()
    {
        var agent = await AgentProcess.Start(AgentArgs);
        server.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var adds = Enumerable.Range(0, 5).Select(i => Run("ADD", Conf(), $"pod-{i}", pod: $"default/pod-{i}", env: agent.Env)).ToArray();
        await Task.Delay(200);
        var servedBefore = await agent.ServedAll();
        agent.Terminate();
        var results = await Task.WhenAll(adds);
        await agent.WaitForExit();
        server.Faults.Latency = TimeSpan.Zero;

        Assert.Equal(0, servedBefore); // all five were still in flight when SIGTERM came
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr));
        Assert.Equal(0, agent.ExitCode);
        Assert.Contains("whereabouts-node: stopped", agent.Output);
        Assert.Equal(5, Holders().Count);
        Assert.False(File.Exists(agent.Socket));
        await agent.DisposeAsync();
    }

    [Fact]
    public async Task OverItsInFlightLimitTheAgentAnswersTryAgainLater()
    {
        await using var agent = await AgentProcess.Start(AgentArgs, "--max-in-flight 1");
        server.Faults.Latency = TimeSpan.FromMilliseconds(500);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Run("ADD", Conf(), $"pod-{i}", pod: $"default/pod-{i}", env: agent.Env)));
        server.Faults.Latency = TimeSpan.Zero;

        var busy = results.Where(r => r.ExitCode != 0).ToArray();
        Assert.NotEmpty(busy);
        Assert.All(busy, r => Assert.Equal(11, JsonNode.Parse(r.Stdout)!["code"]!.GetValue<int>()));
        Assert.Equal(busy.Length, await agent.Served("ADD", "rejected"));
        Assert.Equal(results.Length - busy.Length, Holders().Count);
    }

    [Fact]
    public async Task ARequestOverTheSizeLimitIsRefusedAndThePluginGoesDirect()
    {
        await using var agent = await AgentProcess.Start(AgentArgs, "--max-request-bytes 4096");
        var padding = new string(' ', 8000);
        var add = await Run("ADD", Conf() + padding, "big", pod: "default/big", env: agent.Env);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Equal(["big"], Holders().Keys);
        Assert.Equal(0, await agent.ServedAll());

        // Straight to the socket: the status says why.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(agent.Socket));
        var body = Encoding.UTF8.GetBytes($$"""{"env":{},"stdin":"{{new string('A', 8000)}}"}""");
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /v1/cni HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
        await socket.SendAsync(body);
        Assert.StartsWith("HTTP/1.1 413", await ReadAll(socket));
    }

    [Fact]
    public async Task AConnectionThatSendsNothingIsClosed()
    {
        await using var agent = await AgentProcess.Start(AgentArgs, "--read-timeout-ms 500");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(agent.Socket));
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /v1/cni HTTP/1.1\r\n")); // and then nothing
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var answer = await ReadAll(socket, guard.Token);
        Assert.False(guard.IsCancellationRequested, "the agent kept the idle connection open");
        Assert.DoesNotContain("200 OK", answer);
    }

    [Fact]
    public async Task TheSocketIsRootsAloneAndCniIsNotServedOnTheMetricsPort()
    {
        await using var agent = await AgentProcess.Start(AgentArgs);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(agent.Socket));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(System.IO.Path.GetDirectoryName(agent.Socket)!));
        using var http = new HttpClient();
        var tcp = await http.PostAsync($"http://127.0.0.1:{agent.MetricsPort}/v1/cni", new StringContent("""{"env":{},"stdin":""}"""));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, tcp.StatusCode);
        Assert.Equal("ok", await http.GetStringAsync($"http://127.0.0.1:{agent.MetricsPort}/healthz"));
    }

    [Fact]
    public async Task AStaleCacheNeverHandsOutATakenAddress()
    {
        // Direct-mode plugins write the pool behind the agent's back while the agent allocates from its cache.
        await using var agent = await AgentProcess.Start(AgentArgs);
        var direct = new Dictionary<string, string> { ["WHEREABOUTS_NODE_SOCKET"] = "none" };
        var runs = Enumerable.Range(0, 30).Select(i => Run("ADD", Conf(), $"pod-{i}", pod: $"default/pod-{i}", env: i % 2 == 0 ? agent.Env : direct));
        var results = await Task.WhenAll(runs);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr));
        Assert.Equal(30, results.Select(r => AddressOf(r.Stdout)).Distinct().Count());
        Assert.Equal(30, Holders().Values.Distinct().Count());
        Assert.Equal(15, await agent.Served("ADD"));
    }

    static async Task<string> ReadAll(Socket socket, CancellationToken ct = default)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0) text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        return text.ToString();
    }
}
