using System.Text.Json.Nodes;
using Whereabouts.KubeTestServer;
using Whereabouts.Testing.Etcd;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// CNI GC on stores several nodes share, through the published binary: a node's runtime lists only its own
/// attachments, so GC may release only what the node can show is its own (docs/architecture.md "CNI GC").
/// </summary>
public sealed class GcOwnershipKubernetesTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
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

    string Ipam(string range = "10.20.0.0/24", string more = "") =>
        $$"""{"type":"whereabouts","range":"{{range}}","kubernetes":{"kubeconfig":"{{kubeconfig}}"},"log_level":"verbose","log_file":"{{Log}}"{{more}}}""";

    string Log => System.IO.Path.Combine(dir.Path, "whereabouts.log");

    static Dictionary<string, string> On(string node) => new() { ["NODENAME"] = node };

    static string Gc(string ipam, string valid) =>
        $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{ipam}},"cni.dev/valid-attachments":[{{valid}}]}""";

    /// <summary>Container ID → podref of the range's IPPool.</summary>
    Dictionary<string, string> Held(string pool = "10.20.0.0-24") =>
        (server.Get("ippools", Ns, pool)?["spec"]?["allocations"]?.AsObject() ?? [])
            .ToDictionary(kv => (string)kv.Value!["id"]!, kv => (string)kv.Value!["podref"]!);

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();

    [Fact]
    public async Task NodeAsGcReleasesOnlyItsOwnUnlistedAllocationsAndThoseOfPodsThatAreGone()
    {
        var conf = Conf("1.1.0", Ipam());
        server.PutPod("default", "a-live", "node-a");
        server.PutPod("default", "a-stale", "node-a");
        server.PutPod("default", "b-live", "node-b");
        server.PutPod("default", "gone", "node-b");
        var b = await Run("ADD", conf, "b-live", pod: "default/b-live", env: On("node-b"));
        Assert.True(b.ExitCode == 0, b.Stdout + b.Stderr);
        foreach (var (id, node) in new[] { ("a-live", "node-a"), ("a-stale", "node-a"), ("gone", "node-b") })
            Assert.Equal(0, (await Run("ADD", conf, id, pod: $"default/{id}", env: On(node))).ExitCode);
        Assert.Equal(0, (await Run("ADD", conf, "plain", pod: "", env: On("node-a"))).ExitCode); // no podref: plain CNI use
        server.Delete("pods", "default", "gone");

        // Node A's runtime lists only node A's attachment that is still in use.
        var gc = await Run("GC", Gc(Ipam(), """{"containerID":"a-live","ifname":"net1"}"""), env: On("node-a"));
        Assert.True(gc.ExitCode == 0, gc.Stdout + gc.Stderr);
        Assert.Equal(["a-live", "b-live", "plain"], Held().Keys.Order());

        // Node B's live pod keeps its address: CHECK still passes, and the next ADD does not get it.
        var withPrev = Conf("1.1.0", Ipam(), $$""","prevResult":{{b.Stdout}}""");
        Assert.Equal(0, (await Run("CHECK", withPrev, "b-live", pod: "default/b-live", env: On("node-b"))).ExitCode);
        server.PutPod("default", "new", "node-a");
        var next = await Run("ADD", conf, "new", pod: "default/new", env: On("node-a"));
        Assert.NotEqual(AddressOf(b.Stdout), AddressOf(next.Stdout));

        // An empty list from node A: everything of node A's pods goes, node B's pod and the podref-less entry stay.
        Assert.Equal(0, (await Run("GC", Gc(Ipam(), ""), env: On("node-a"))).ExitCode);
        Assert.Equal(["b-live", "plain"], Held().Keys.Order());
        // Pods are read one by one, never listed (a LIST cannot tell a gone pod from another node's); each GC
        // lists the reservations once, for orphans.
        Assert.Equal(0, server.RequestCount(KubeVerbs.List, "pods"));
        Assert.Equal(2, server.RequestCount(KubeVerbs.List, "overlappingrangeipreservations"));
    }

    /// <summary>
    /// 400 unlisted allocations: 200 of node B's live pods (kept) and 200 of pods that are gone (released), one
    /// pod GET each. The time is printed for docs/benchmarks.md, never asserted.
    /// </summary>
    [Fact]
    public async Task GcOnAPoolOfManyOtherNodesPodsReadsEachPodOnce()
    {
        var allocations = new JsonObject();
        for (var i = 1; i <= 400; i++)
        {
            if (i % 2 == 0) server.PutPod("default", $"p{i}", "node-b");
            allocations[$"{i}"] = new JsonObject { ["id"] = $"c{i}", ["podref"] = $"default/p{i}", ["ifname"] = "net1" };
        }
        server.Put("ippools", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "10.20.0.0-23" },
            ["spec"] = new JsonObject { ["range"] = "10.20.0.0/23", ["allocations"] = allocations },
        });
        server.ResetRequestCounts();
        var ipam = Ipam("10.20.0.0/23", ""","enable_overlapping_ranges":false""");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var gc = await Run("GC", Gc(ipam, ""), env: On("node-a"));
        watch.Stop();
        Assert.True(gc.ExitCode == 0, gc.Stdout + gc.Stderr);
        Assert.Equal(200, Held("10.20.0.0-23").Count);
        Assert.All(Held("10.20.0.0-23").Values, pod => Assert.Equal(0, int.Parse(pod["default/p".Length..], System.Globalization.CultureInfo.InvariantCulture) % 2));
        Assert.Equal(400, server.RequestCount(KubeVerbs.Get, "pods"));
        output.WriteLine($"GC over 400 unlisted allocations (400 pod GETs): {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task InANodeSlicePoolEveryUnlistedAllocationIsTheNodesOwn()
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
        var ipam = Ipam("10.40.0.0/16", ""","network_name":"sliced","node_slice_size":"/24" """);
        var conf = Conf("1.1.0", ipam);
        // No pods exist and one entry has no podref: only the slice shows these are worker-1's.
        Assert.Equal(0, (await Run("ADD", conf, "w1-plain", pod: "", env: On("worker-1"))).ExitCode);
        Assert.Equal(0, (await Run("ADD", conf, "w1-kept", pod: "", env: On("worker-1"))).ExitCode);
        Assert.Equal(0, (await Run("ADD", conf, "w2-plain", pod: "", env: On("worker-2"))).ExitCode);

        var gc = await Run("GC", Gc(ipam, """{"containerID":"w1-kept","ifname":"net1"}"""), env: On("worker-1"));
        Assert.True(gc.ExitCode == 0, gc.Stdout + gc.Stderr);
        Assert.Equal(["w1-kept"], Held("sliced-worker-1-10.40.0.0-24").Keys);
        Assert.Equal(["w2-plain"], Held("sliced-worker-2-10.40.1.0-24").Keys);
    }
}

/// <summary>etcd without node slices: no allocation says which node made it, so GC releases nothing and says why.</summary>
public sealed class GcOwnershipEtcdTests : IAsyncLifetime
{
    EtcdServer etcd = null!;
    readonly TempDir dir = new();

    public async Task InitializeAsync() => etcd = await EtcdServer.Start();

    public async Task DisposeAsync()
    {
        await etcd.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task GcOnEtcdReleasesNothingAndLogsWhy()
    {
        var log = System.IO.Path.Combine(dir.Path, "whereabouts.log");
        var ipam = EtcdStored.Ipam(etcd.Endpoint, more: $$""","log_level":"verbose","log_file":"{{log}}" """);
        var conf = Conf("1.1.0", ipam);
        Assert.Equal(0, (await Run("ADD", conf, "node-a-pod", pod: "default/node-a-pod")).ExitCode);
        Assert.Equal(0, (await Run("ADD", conf, "node-b-pod", pod: "default/node-b-pod")).ExitCode);

        var gc = await Run("GC", $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{ipam}},"cni.dev/valid-attachments":[{"containerID":"node-a-pod","ifname":"net1"}]}""");
        Assert.True(gc.ExitCode == 0, gc.Stdout + gc.Stderr);
        Assert.Equal(["node-a-pod", "node-b-pod"], (await EtcdStored.Allocations(etcd, "192.168.2.224-28")).Select(a => a.ContainerId).Order());
        Assert.Equal(2, (await EtcdStored.ReservationPods(etcd)).Count);
        Assert.Contains("GC releases nothing: the etcd store is shared by every node", File.ReadAllText(log));
    }
}
