using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// WHEREABOUTS_RETRY_DEADLINE_MS bounds the whole invocation: against a store that accepts connections and
/// never answers (or answers only after a long while), ADD, DEL and the node-slice lookup end with CNI error
/// 11 naming the configured deadline, not after some inner timeout of their own. The only bound on time is
/// "no hang" (well under three deadlines); the times are printed, not asserted.
/// </summary>
public sealed class DeadlineEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int DeadlineMs = 1500;
    static readonly TimeSpan NoHang = TimeSpan.FromMilliseconds(3 * DeadlineMs);

    readonly TempDir dir = new();
    readonly TcpListener silent = new(IPAddress.Loopback, 0);
    readonly List<Socket> accepted = [];
    readonly CancellationTokenSource stop = new();
    KubeTestServer.KubeTestServer server = null!;

    int SilentPort => ((IPEndPoint)silent.LocalEndpoint).Port;

    public async Task InitializeAsync()
    {
        silent.Start();
        _ = Task.Run(async () =>
        {
            // Accept every connection and never write a byte: no TLS handshake, no HTTP answer.
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var socket = await silent.AcceptSocketAsync(stop.Token);
                    lock (accepted) accepted.Add(socket);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            }
        });
        server = await KubeTestServer.KubeTestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        silent.Stop();
        lock (accepted) foreach (var s in accepted) s.Dispose();
        await server.DisposeAsync();
        dir.Dispose();
    }

    static Dictionary<string, string> Env(Dictionary<string, string>? more = null)
    {
        var env = new Dictionary<string, string> { ["WHEREABOUTS_RETRY_DEADLINE_MS"] = DeadlineMs.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (k, v) in more ?? []) env[k] = v;
        return env;
    }

    string SilentKubeconfig()
    {
        var path = System.IO.Path.Combine(dir.Path, "silent.kubeconfig");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: silent
              cluster:
                server: "https://127.0.0.1:{{SilentPort}}"
                certificate-authority-data: "{{Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(server.CaPem))}}"
            users:
            - name: u
              user:
                token: "t"
            contexts:
            - name: c
              context: {cluster: silent, user: u, namespace: kube-system}
            current-context: c
            """);
        return path;
    }

    async Task<JsonNode> Expect11(string command, string conf, Dictionary<string, string>? env = null, string what = "")
    {
        var clock = Stopwatch.StartNew();
        var r = await Run(command, conf, env: Env(env));
        clock.Stop();
        output.WriteLine($"{what} {command}: exit {r.ExitCode} in {clock.ElapsedMilliseconds} ms: {r.Stdout}");
        Assert.True(r.ExitCode == 1, r.Stdout + r.Stderr);
        var error = JsonNode.Parse(r.Stdout)!;
        Assert.Equal(11, (int)error["code"]!);
        Assert.Contains("retry deadline", (string)error["msg"]!);
        Assert.Contains("1.5s", (string)error["msg"]!);
        Assert.True(clock.Elapsed < NoHang, $"{what} {command} took {clock.Elapsed} with a deadline of {DeadlineMs} ms");
        return error;
    }

    [Theory]
    [InlineData("ADD")]
    [InlineData("DEL")]
    public async Task AKubernetesApiThatNeverAnswersEndsAtTheDeadline(string command)
    {
        var conf = Conf("1.0.0", $$$"""{"type":"whereabouts","range":"10.40.0.0/24","kubernetes":{"kubeconfig":"{{{SilentKubeconfig()}}}"}}""");
        await Expect11(command, conf, what: "silent kube-apiserver");
    }

    [Fact]
    public async Task TheNodeSliceLookupEndsAtTheDeadline()
    {
        var conf = Conf("1.0.0", $$$"""{"type":"whereabouts","range":"10.40.0.0/16","node_slice_size":"/24","kubernetes":{"kubeconfig":"{{{SilentKubeconfig()}}}"}}""");
        await Expect11("ADD", conf, new() { ["NODENAME"] = "node-a" }, "node-slice lookup");
    }

    [Fact]
    public async Task AnEtcdThatNeverAnswersEndsAtTheDeadline()
    {
        var conf = Conf("1.0.0", $$$"""{"type":"whereabouts","range":"10.40.0.0/24","datastore":"etcd","etcd_host":"http://127.0.0.1:{{{SilentPort}}}"}""");
        await Expect11("ADD", conf, what: "silent etcd");
    }

    [Theory]
    [InlineData("ADD")]
    [InlineData("DEL")]
    public async Task AnApiSlowerThanTheDeadlineEndsAtTheDeadline(string command)
    {
        // Every request is held for a minute before the server answers it.
        server.Faults.Latency = TimeSpan.FromMinutes(1);
        var kubeconfig = server.WriteKubeconfig(System.IO.Path.Combine(dir.Path, "slow.kubeconfig"));
        var conf = Conf("1.0.0", $$$"""{"type":"whereabouts","range":"10.40.0.0/24","kubernetes":{"kubeconfig":"{{{kubeconfig}}}"}}""");
        await Expect11(command, conf, what: "slow kube-apiserver");
    }
}
