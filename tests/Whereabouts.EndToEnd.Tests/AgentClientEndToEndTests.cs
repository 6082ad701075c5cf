using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The published plugin as the node agent's client: it forwards store verbs to a trusted agent socket and
/// serves the call itself (direct mode) whenever no agent answers, the agent declines, or the agent fails.
/// </summary>
public sealed class AgentClientEndToEndTests : IDisposable
{
    readonly TempDir store = new();
    readonly TempDir sockets = new();

    public void Dispose()
    {
        store.Dispose();
        sockets.Dispose();
    }

    const string Pool = "10.9.0.224-28";
    string Conf => PluginBinary.Conf("1.0.0", FileIpam(store.Path, range: "10.9.0.225/28"));

    static Dictionary<string, string> Via(string socket, params (string, string)[] more)
    {
        var env = new Dictionary<string, string> { ["WHEREABOUTS_NODE_SOCKET"] = socket };
        foreach (var (k, v) in more) env[k] = v;
        return env;
    }

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();

    /// <summary>Direct mode served the ADD: the file store holds it and the reply names the first address.</summary>
    void AssertServedDirectly(PluginBinary.Result add)
    {
        Assert.Equal(0, add.ExitCode);
        Assert.Equal("10.9.0.225/28", AddressOf(add.Stdout));
        Assert.Single(StoredPools.Allocations(store.Path, Pool));
    }

    [Fact]
    public async Task WithoutASocketFileTheCallIsServedDirectly()
    {
        AssertServedDirectly(await Run("ADD", Conf, env: Via(System.IO.Path.Combine(sockets.Path, "absent.sock"))));
    }

    [Fact]
    public async Task ASocketNobodyListensOnIsPassedOver()
    {
        // Bound, never listening: what a crashed agent leaves behind; connect is refused.
        var path = System.IO.Path.Combine(sockets.Path, "dead.sock");
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path));
        Assert.True(File.Exists(path));
        AssertServedDirectly(await Run("ADD", Conf, env: Via(path)));
    }

    [Fact]
    public async Task TheAgentsReplyIsTheRuntimesReplyAndTheRequestCarriesOnlyTheCallsEnvironment()
    {
        using var agent = new FakeAgent(FakeAgent.Replies("""{"exitCode":0,"stdout":"X"}"""));
        var result = await Run("ADD", Conf, containerId: "cid-agent", env: Via(agent.SocketPath,
            ("NODENAME", "node-7"), ("WHEREABOUTS_RETRY_DEADLINE_MS", "4000"), ("UNRELATED_SETTING", "secret")));

        Assert.Equal((0, "X"), (result.ExitCode, result.Stdout));
        Assert.Empty(StoredPools.Allocations(store.Path, Pool));
        var request = Assert.Single(agent.Requests);
        Assert.StartsWith("POST /v1/cni HTTP/1.1\r\n", request.Head);
        Assert.Contains("\r\nHost: whereabouts-node", request.Head);
        Assert.Contains("\r\nConnection: close", request.Head);
        Assert.Equal(Encoding.UTF8.GetBytes(Conf), request.Stdin);
        string? Env(string name) => request.Env[name]?.GetValue<string>();
        Assert.Equal("ADD", Env("CNI_COMMAND"));
        Assert.Equal("cid-agent", Env("CNI_CONTAINERID"));
        Assert.Equal("net1", Env("CNI_IFNAME"));
        Assert.Equal("/var/run/netns/e2e", Env("CNI_NETNS"));
        Assert.Equal("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod-1", Env("CNI_ARGS"));
        Assert.Equal("node-7", Env("NODENAME"));
        Assert.Equal("4000", Env("WHEREABOUTS_RETRY_DEADLINE_MS"));
        Assert.Equal(AdminAllowingEverything, Env("WHEREABOUTS_FLAT_FILE"));
        Assert.Equal(agent.SocketPath, Env("WHEREABOUTS_NODE_SOCKET"));
        Assert.All(request.Env.Select(kv => kv.Key), name =>
            Assert.True(name.StartsWith("CNI_") || name.StartsWith("WHEREABOUTS_") || name == "NODENAME", name));
        Assert.False(request.Env.ContainsKey("PATH"));
        Assert.False(request.Env.ContainsKey("UNRELATED_SETTING"));
    }

    [Fact]
    public async Task TheAgentsErrorReplyAndExitCodePassThrough()
    {
        const string error = """{"cniVersion":"1.0.0","code":11,"msg":"try again later"}""";
        using var agent = new FakeAgent(FakeAgent.Replies($$"""{"exitCode":1,"stdout":{{JsonValue.Create(error).ToJsonString()}}}"""));
        var result = await Run("DEL", Conf, env: Via(agent.SocketPath));
        Assert.Equal((1, error), (result.ExitCode, result.Stdout));
        Assert.Single(agent.Requests);
    }

    [Fact]
    public async Task AnAgentThatDoesNotServeTheDatastoreHandsTheCallBack()
    {
        using var agent = new FakeAgent(FakeAgent.Replies("""{"direct":true}"""));
        AssertServedDirectly(await Run("ADD", Conf, env: Via(agent.SocketPath)));
        Assert.Equal(1, agent.Connections);
    }

    [Fact]
    public async Task AnAgentThatDiesMidRequestIsRetriedOnceDirectlyAndTheAddStaysIdempotent()
    {
        using var agent = new FakeAgent(FakeAgent.Closes);
        var first = await Run("ADD", Conf, env: Via(agent.SocketPath));
        AssertServedDirectly(first);
        Assert.Single(agent.Requests);
        var again = await Run("ADD", Conf, env: Via(agent.SocketPath));
        Assert.Equal((0, AddressOf(first.Stdout)), (again.ExitCode, AddressOf(again.Stdout)));
        Assert.Single(StoredPools.Allocations(store.Path, Pool));
        Assert.Equal(2, agent.Requests.Count);
    }

    [Fact]
    public async Task AnAgentThatNeverAnswersIsGivenUpAfterTheDeadline()
    {
        using var agent = new FakeAgent(FakeAgent.Hangs);
        AssertServedDirectly(await Run("ADD", Conf, env: Via(agent.SocketPath, ("WHEREABOUTS_RETRY_DEADLINE_MS", "500"))));
        Assert.Single(agent.Requests);
    }

    [Fact]
    public async Task AChunkedReplyIsDecoded()
    {
        using var agent = new FakeAgent(FakeAgent.Raw(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "c\r\n{\"exitCode\":\r\n" + "3;ext=1\r\n0,\"\r\n" + "e\r\nstdout\":\"XYZ\"}\r\n" + "0\r\n\r\n"));
        var result = await Run("ADD", Conf, env: Via(agent.SocketPath));
        Assert.Equal((0, "XYZ"), (result.ExitCode, result.Stdout));
        Assert.Empty(StoredPools.Allocations(store.Path, Pool));
    }

    [Theory]
    [InlineData("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 29\r\n\r\n{\"exitCode\":0,\"stdout\":\"X\"}")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{\"exitCode\":0,\"stdout\":\"X\"}")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1b\r\n{\"exitCode\":0,\"stdout\":\"X\"}\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n{\"exitCode\":0,\"stdout\"")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{\"stdout\":\"X\"}")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n{\"exitCode\":\"0\",\"stdout\":\"X\"}")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 28\r\n\r\n{\"exitCode\":0,\"stdout\":\"X\"}x")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 28")]
    public async Task AnUnusableReplyLeavesTheCallToDirectMode(string response)
    {
        using var agent = new FakeAgent(FakeAgent.Raw(response));
        AssertServedDirectly(await Run("ADD", Conf, env: Via(agent.SocketPath)));
        Assert.Single(agent.Requests);
    }

    [Fact]
    public async Task ASocketOwnedByAnotherUserIsNotTrusted()
    {
        using var agent = new FakeAgent(FakeAgent.Replies("""{"exitCode":0,"stdout":"X"}"""));
        Assert.Equal(0, Chown(agent.SocketPath, 65534, 65534));
        AssertServedDirectly(await Run("ADD", Conf, env: Via(agent.SocketPath)));
        Assert.Equal(0, agent.Connections);
    }

    [Fact]
    public async Task ASymlinkToTheSocketIsNotFollowed()
    {
        using var agent = new FakeAgent(FakeAgent.Replies("""{"exitCode":0,"stdout":"X"}"""));
        var link = System.IO.Path.Combine(sockets.Path, "link.sock");
        File.CreateSymbolicLink(link, agent.SocketPath);
        AssertServedDirectly(await Run("ADD", Conf, env: Via(link)));
        Assert.Equal(0, agent.Connections);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("")]
    public async Task ForwardingTurnedOffNeverConnects(string setting)
    {
        // An agent listening at ./none, in the plugin's working directory: read as a path, the setting would reach it.
        using var agent = new FakeAgent(FakeAgent.Replies("""{"exitCode":0,"stdout":"X"}"""), name: "none");
        var info = StartInfo("ADD", "cid-1", "net1", "default/pod-1", Via(setting));
        info.WorkingDirectory = agent.Directory;
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(Conf);
        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        AssertServedDirectly(new PluginBinary.Result(process.ExitCode, stdout.Trim(), ""));
        Assert.Equal(0, agent.Connections);
    }

    [Fact]
    public async Task VersionIsAnsweredWithoutTheAgent()
    {
        using var agent = new FakeAgent(FakeAgent.Replies("""{"exitCode":0,"stdout":"X"}"""));
        var result = await Run("VERSION", """{"cniVersion":"1.0.0"}""", env: Via(agent.SocketPath));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("supportedVersions", result.Stdout);
        Assert.Equal(0, agent.Connections);
    }

    [Fact]
    public async Task AnUnknownCommandIsAnsweredWithoutTheAgent()
    {
        using var agent = new FakeAgent(FakeAgent.Replies("""{"exitCode":0,"stdout":"X"}"""));
        var result = await Run("BOGUS", Conf, env: Via(agent.SocketPath));
        Assert.Equal(1, result.ExitCode);
        Assert.NotEqual("X", result.Stdout);
        Assert.Equal(0, agent.Connections);
    }

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    static extern int Chown(string path, uint owner, uint group);
}
