using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Whereabouts.KubeTestServer;
using Xunit;
using Xunit.Abstractions;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The published plugin against the in-process fake kube-apiserver (HTTPS, token, resourceVersion CAS), with
/// the kubeconfig the server writes: every verb, and 20 concurrent "nodes" allocating from one range.
/// Timings are printed for docs/benchmarks.md, never asserted.
/// </summary>
public sealed class KubernetesEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly TempDir dir = new();
    KubeTestServer.KubeTestServer server = null!;
    string kubeconfig = "";
    const string Ns = "kube-system";

    public async Task InitializeAsync()
    {
        server = await KubeTestServer.KubeTestServer.StartAsync();
        kubeconfig = server.WriteKubeconfig(System.IO.Path.Combine(dir.Path, "whereabouts.kubeconfig"), Ns);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }

    string Ipam(string range = "192.168.2.225/28", string more = "") =>
        $$"""{"type":"whereabouts","range":"{{range}}","kubernetes":{"kubeconfig":"{{kubeconfig}}"}{{more}}}""";

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();
    static int CodeOf(string stdout) => JsonNode.Parse(stdout)!["code"]!.GetValue<int>();

    JsonObject? Pool(string name) => server.Get("ippools", Ns, name);

    IReadOnlyList<string> Reservations() =>
        server.List("overlappingrangeipreservations", Ns).Select(o => (string)o["metadata"]!["name"]!).ToList();

    [Fact]
    public async Task AddCheckGcStatusAndDelThroughTheBinary()
    {
        var conf = Conf("1.1.0", Ipam());
        var add = await Run("ADD", conf, "keep", pod: "default/keep");
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Equal("192.168.2.225/28", AddressOf(add.Stdout));
        var again = await Run("ADD", conf, "keep", pod: "default/keep");
        Assert.Equal("192.168.2.225/28", AddressOf(again.Stdout));
        var stale = await Run("ADD", conf, "stale", pod: "default/stale");
        Assert.Equal("192.168.2.226/28", AddressOf(stale.Stdout));
        Assert.Equal("""{"range":"192.168.2.224/28","allocations":{"1":{"id":"keep","podref":"default/keep","ifname":"net1"},"2":{"id":"stale","podref":"default/stale","ifname":"net1"}}}""",
            Pool("192.168.2.224-28")!["spec"]!.ToJsonString());
        Assert.Equal(["192.168.2.225", "192.168.2.226"], Reservations());

        var withPrev = $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{Ipam()}},"prevResult":{{add.Stdout}}}""";
        Assert.Equal(0, (await Run("CHECK", withPrev, "keep", pod: "default/keep")).ExitCode);
        var status = await Run("STATUS", conf);
        Assert.Equal((0, ""), (status.ExitCode, status.Stdout));

        var gc = $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{Ipam()}},"cni.dev/valid-attachments":[{"containerID":"keep","ifname":"net1"}]}""";
        // default/stale's pod does not exist (404): gone, so this node may release it.
        Assert.Equal(0, (await Run("GC", gc, env: new() { ["NODENAME"] = "node-a" })).ExitCode);
        Assert.Equal(["192.168.2.225"], Reservations());

        var del = await Run("DEL", conf, "keep", pod: "default/keep");
        Assert.Equal((0, ""), (del.ExitCode, del.Stdout));
        Assert.Equal("{}", Pool("192.168.2.224-28")!["spec"]!["allocations"]!.ToJsonString());
        Assert.Empty(Reservations());
        var delAgain = await Run("DEL", conf, "keep", pod: "default/keep");
        Assert.Equal(0, delAgain.ExitCode);
        // STATUS's one LIST, GC's LIST of reservations (no orphan candidate, so no LIST of pools), and the
        // repeated DEL's (its pools held nothing, so it looks for an orphan); ADD, CHECK and the first DEL list nothing.
        Assert.Equal(3, server.RequestCount(KubeVerbs.List));
    }

    /// <summary>
    /// Node-slice mode: each node allocates in the slice the NodeSlicePool gives it, from its own IPPool, and
    /// answers with the range's prefix; a node without a slice cannot ADD (try again later) but can DEL.
    /// </summary>
    [Fact]
    public async Task NodeSlicesGiveEachNodeItsOwnSliceAndPool()
    {
        server.Put("nodeslicepools", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "sliced" },
            ["spec"] = new JsonObject { ["range"] = "10.40.0.0/16", ["sliceSize"] = "/24" },
            ["status"] = new JsonObject
            {
                ["allocations"] = new JsonArray(
                    new JsonObject { ["nodeName"] = "worker-1", ["sliceRange"] = "10.40.0.0/24" },
                    new JsonObject { ["nodeName"] = "worker-2", ["sliceRange"] = "10.40.1.0/24" }),
            },
        });
        var conf = Conf("1.0.0", Ipam("10.40.0.0/16", ""","network_name":"sliced","node_slice_size":"/24","exclude":["10.40.1.1/32"]"""));
        Dictionary<string, string> On(string node) => new() { ["NODENAME"] = node };

        var a1 = await Run("ADD", conf, "w1-a", pod: "default/w1-a", env: On("worker-1"));
        var b1 = await Run("ADD", conf, "w1-b", pod: "default/w1-b", env: On("worker-1"));
        var a2 = await Run("ADD", conf, "w2-a", pod: "default/w2-a", env: On("worker-2"));
        Assert.Equal((0, 0, 0), (a1.ExitCode, b1.ExitCode, a2.ExitCode));
        // Slices keep the range's excludes (upstream drops them): 10.40.1.1 is skipped on worker-2.
        Assert.Equal(["10.40.0.1/16", "10.40.0.2/16", "10.40.1.2/16"], new[] { AddressOf(a1.Stdout), AddressOf(b1.Stdout), AddressOf(a2.Stdout) });

        // Upstream's names and shapes: one IPPool per node slice, offsets from the slice's network.
        var pool1 = Pool("sliced-worker-1-10.40.0.0-24")!;
        Assert.Equal("10.40.0.0/24", (string)pool1["spec"]!["range"]!);
        Assert.Equal(["1", "2"], pool1["spec"]!["allocations"]!.AsObject().Select(kv => kv.Key).Order().ToArray());
        Assert.NotNull(Pool("sliced-worker-2-10.40.1.0-24"));
        Assert.Null(Pool("sliced-10.40.0.0-16"));
        Assert.Contains("sliced-10.40.1.2", Reservations());

        var withPrev = Conf("1.0.0", Ipam("10.40.0.0/16", ""","network_name":"sliced","node_slice_size":"/24","exclude":["10.40.1.1/32"]"""),
            ""","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.40.0.1/16"}]}""");
        Assert.Equal(0, (await Run("CHECK", withPrev, "w1-a", pod: "default/w1-a", env: On("worker-1"))).ExitCode);

        var orphan = await Run("ADD", conf, "w3-a", pod: "default/w3-a", env: On("worker-3"));
        Assert.Equal(1, orphan.ExitCode);
        Assert.Equal(11, CodeOf(orphan.Stdout));
        Assert.Contains("no allocated node slice for node worker-3", orphan.Stdout);
        Assert.Equal(0, (await Run("DEL", conf, "w3-a", pod: "default/w3-a", env: On("worker-3"))).ExitCode);

        Assert.Equal(0, (await Run("DEL", conf, "w1-a", pod: "default/w1-a", env: On("worker-1"))).ExitCode);
        Assert.Equal(["2"], Pool("sliced-worker-1-10.40.0.0-24")!["spec"]!["allocations"]!.AsObject().Select(kv => kv.Key).ToArray());
        Assert.DoesNotContain("sliced-10.40.0.1", Reservations());
    }

    [Fact]
    public async Task AnUnusableKubernetesStoreIsCodeFiftyWithTheReason()
    {
        File.WriteAllText(kubeconfig, File.ReadAllText(kubeconfig).Replace(server.Token, "expired"));
        var conf = Conf("1.1.0", Ipam());
        var add = await Run("ADD", conf);
        Assert.Equal((1, 50), (add.ExitCode, CodeOf(add.Stdout)));
        Assert.Contains("401 Unauthorized", add.Stdout);
        var status = await Run("STATUS", conf);
        Assert.Equal((1, 50), (status.ExitCode, CodeOf(status.Stdout)));
        var missing = await Run("ADD", Conf("1.1.0", """{"type":"whereabouts","range":"10.0.0.0/24","kubernetes":{"kubeconfig":"/nonexistent/kubeconfig"}}"""));
        Assert.Equal((1, 50), (missing.ExitCode, CodeOf(missing.Stdout)));
        Assert.Contains("/nonexistent/kubeconfig", missing.Stdout);
    }

    [Fact]
    public async Task AServerThatKeepsFailingIsTryAgainLater()
    {
        server.Faults.FailureRate500 = 1.0;
        var add = await Run("ADD", Conf("1.0.0", Ipam()), env: new() { ["WHEREABOUTS_RETRY_DEADLINE_MS"] = "500" });
        Assert.Equal((1, 11), (add.ExitCode, CodeOf(add.Stdout)));
    }

    [Fact]
    public async Task TwentyConcurrentNodesTimesTenAddsGetTwoHundredDistinctAddresses()
    {
        var conf = Conf("0.3.1", Ipam("10.70.0.0/24"));
        // Warm the page cache and the server, then time single ADDs one after another.
        var single = new List<double>();
        for (var i = 0; i < 11; i++)
        {
            var sw = Stopwatch.StartNew();
            var r = await Run("ADD", conf, $"solo-{i}", pod: $"default/solo-{i}");
            sw.Stop();
            Assert.True(r.ExitCode == 0, r.Stdout);
            if (i > 0) single.Add(sw.Elapsed.TotalMilliseconds);
            Assert.Equal(0, (await Run("DEL", conf, $"solo-{i}", pod: $"default/solo-{i}")).ExitCode);
        }
        server.ResetRequestCounts();

        var latencies = new List<double>();
        var addresses = new List<string>();
        var failures = new List<string>();
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(node => Task.Run(async () =>
        {
            for (var k = 0; k < 10; k++)
            {
                var sw = Stopwatch.StartNew();
                var r = await Run("ADD", conf, $"cid-{node}-{k}", pod: $"default/pod-{node}-{k}");
                sw.Stop();
                lock (latencies)
                {
                    latencies.Add(sw.Elapsed.TotalMilliseconds);
                    if (r.ExitCode == 0) addresses.Add(AddressOf(r.Stdout));
                    else failures.Add(r.Stdout + r.Stderr);
                }
            }
        })));
        wall.Stop();

        Assert.Empty(failures);
        Assert.Equal(200, addresses.Distinct().Count());
        var stored = Pool("10.70.0.0-24")!["spec"]!["allocations"]!.AsObject();
        Assert.Equal(200, stored.Count);
        Assert.Equal(200, Reservations().Count);
        // The ADD path never lists: one GET per pool, writes guarded by resourceVersion.
        Assert.Equal(0, server.RequestCount(KubeVerbs.List));

        latencies.Sort();
        single.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kubernetes store, {Environment.ProcessorCount} cores: single ADD (sequential, warm) p50 {Pct(single, 50):0.0} ms, min {single[0]:0.0} ms; " +
            $"20 concurrent nodes x 10 ADDs: {200 / wall.Elapsed.TotalSeconds:0.0} allocations/s, wall {wall.Elapsed.TotalSeconds:0.00} s, " +
            $"ADD latency p50 {Pct(latencies, 50):0} ms, p99 {Pct(latencies, 99):0} ms, max {latencies[^1]:0} ms; " +
            $"requests: get {server.RequestCount(KubeVerbs.Get)}, create {server.RequestCount(KubeVerbs.Create)}, update {server.RequestCount(KubeVerbs.Update)}, delete {server.RequestCount(KubeVerbs.Delete)}"));
    }

    static double Pct(List<double> sorted, int p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
}
