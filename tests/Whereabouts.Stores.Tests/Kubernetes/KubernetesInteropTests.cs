using System.Collections.Immutable;
using System.Text.Json.Nodes;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.KubeTestServer;
using Whereabouts.Stores.Kubernetes;
using Xunit;

namespace Whereabouts.Stores.Tests.Kubernetes;

/// <summary>
/// Objects as upstream whereabouts (Go, v0.9.x and older) leaves them in a cluster, read by this store; and
/// objects this store writes, checked against the shape upstream's Go types decode (field for field).
/// </summary>
public sealed class KubernetesInteropTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    KubeTestServer.KubeTestServer Server => fixture.Server;
    readonly string ns = KubeServerFixture.FreshNamespace();

    static Cidr C(string s) => Cidr.Parse(s).IfFail(default(Cidr));
    static Address A(string s) => Address.Parse(s).IfFail(default(Address));

    /// <summary>An IPPool exactly as upstream's client-go writes it (creationTimestamp: null included).</summary>
    static JsonObject UpstreamPool(string name, string range, JsonObject allocations) => new()
    {
        ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
        ["kind"] = "IPPool",
        ["metadata"] = new JsonObject { ["name"] = name, ["creationTimestamp"] = null, ["labels"] = new JsonObject { ["team"] = "net" } },
        ["spec"] = new JsonObject { ["range"] = range, ["allocations"] = allocations },
    };

    [Fact]
    public async Task ReadsUpstreamPoolsWithNegativeKeysAndEntriesWithoutIfname()
    {
        // Old upstream truncated IPv6 offsets to 64 bits and stored some as signed int64.
        Server.Put("ippools", ns, UpstreamPool("fd00-0-0-10---64", "fd00:0:0:10::/64", new JsonObject
        {
            ["1"] = new JsonObject { ["id"] = "c1", ["podref"] = "default/a", ["ifname"] = "net1" },
            ["-3844666706890850303"] = new JsonObject { ["id"] = "c2", ["podref"] = "default/b" },
        }));
        await using var store = fixture.Open(ns);
        var pool = await store.LoadPool(PoolKey.For(C("fd00:0:0:10::/64"), ""), default);
        Assert.True(pool.Exists);
        Assert.Equal([(UInt128)1, (UInt128)14602077366818701313UL], pool.State.Allocations.Select(a => a.Offset));
        Assert.Equal("fd00::10:caa5:0:0:1", C("fd00:0:0:10::/64").AddressAt(pool.State.Allocations[1].Offset).ToString());
        Assert.Equal(new Owner("c2", "default/b", ""), pool.State.Allocations[1].Owner);
    }

    [Fact]
    public async Task AnAddOnAnUpstreamPoolKeepsItsEntriesAndWritesTheUpstreamShape()
    {
        var range = C("192.168.2.224/28");
        Server.Put("ippools", ns, UpstreamPool("blue-192.168.2.224-28", "192.168.2.224/28", new JsonObject
        {
            ["1"] = new JsonObject { ["id"] = "old", ["podref"] = "default/old" },
        }));
        Server.Put("overlappingrangeipreservations", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "blue-192.168.2.225" },
            ["spec"] = new JsonObject { ["podref"] = "default/old" },
        });
        await using var store = fixture.Open(ns);
        var scope = new NetworkScope(ImmutableArray.Create(RangeSpec.Of(range)), "blue", OverlappingRanges: true);
        var owner = new Owner("cid-new", "default/new", "net1");
        var retry = new ConflictRetry(store, RetryPolicy.Default, TimeProvider.System, Random.Shared.NextDouble, Log.Silent);
        var add = await retry.Run(scope.PoolKeys, (pools, known) => Allocator.Decide(new AddRequest(owner, scope, ImmutableArray<Address>.Empty), pools, known), default);
        Assert.Equal("192.168.2.226", add.Match(o => ((Outcome.Allocated)o).Leases[0].Address.ToString(), e => e.Message));

        var stored = Server.Get("ippools", ns, "blue-192.168.2.224-28")!;
        Assert.Equal("whereabouts.cni.cncf.io/v1alpha1", (string)stored["apiVersion"]!);
        Assert.Equal("IPPool", (string)stored["kind"]!);
        Assert.Equal("net", (string)stored["metadata"]!["labels"]!["team"]!);
        Assert.Equal("""{"range":"192.168.2.224/28","allocations":{"1":{"id":"old","podref":"default/old"},"2":{"id":"cid-new","podref":"default/new","ifname":"net1"}}}""",
            stored["spec"]!.ToJsonString());
        var reservation = Server.Get("overlappingrangeipreservations", ns, "blue-192.168.2.226")!;
        Assert.Equal("OverlappingRangeIPReservation", (string)reservation["kind"]!);
        Assert.Equal(ns, (string)reservation["metadata"]!["namespace"]!);
        Assert.Equal("default/new", (string)reservation["spec"]!["podref"]!);
        Assert.Equal("net1", (string)reservation["spec"]!["ifname"]!);
    }

    [Fact]
    public async Task OffsetsBeyondUpstreamsInt64AreWrittenAsNonNegativeDecimals()
    {
        var range = C("fd00:0:0:10::/64");
        Server.Put("ippools", ns, UpstreamPool("fd00-0-0-10---64", "fd00:0:0:10::/64", new JsonObject
        {
            ["-3844666706890850303"] = new JsonObject { ["id"] = "c2", ["podref"] = "default/b" },
        }));
        await using var store = fixture.Open(ns);
        var key = PoolKey.For(range, "");
        var snapshot = await store.LoadPool(key, default);
        var next = snapshot.State.With(new Allocation(5, new Owner("c5", "default/e", "net1")));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.ReplacePool(snapshot, next), default));
        var keys = Server.Get("ippools", ns, "fd00-0-0-10---64")!["spec"]!["allocations"]!.AsObject().Select(kv => kv.Key);
        // 2^64 − 3844666706890850303: the same address, now in the form our reader and upstream's both parse
        // (upstream's ParseInt skips it as too large: docs/compatibility.md).
        Assert.Equal(["5", "14602077366818701313"], keys);
    }

    [Fact]
    public async Task ReservationsWithoutContainerIdAreReleasedByTheirPodOnly()
    {
        Server.Put("overlappingrangeipreservations", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "10.9.0.5" },
            ["spec"] = new JsonObject { ["podref"] = "default/a", ["ifname"] = "net1" },
        });
        await using var store = fixture.Open(ns);
        var key = ReservationKey.For(A("10.9.0.5"), "");
        Assert.Equal(new Owner("", "default/a", "net1"), (await store.LoadReservation(key, default)).IfNone(new Owner("?", "?", "?")));
        Assert.Equal(ApplyResult.Conflict, await store.Apply(new StoreOp.DeleteReservation(key, new Owner("cid", "default/b", "net1")), default));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.DeleteReservation(key, new Owner("cid", "default/a", "net1")), default));
        Assert.Null(Server.Get("overlappingrangeipreservations", ns, "10.9.0.5"));
    }

    [Fact]
    public async Task AReservationThatChangesBetweenReadAndDeleteIsLeftAlone()
    {
        var key = ReservationKey.For(A("10.9.0.6"), "");
        await using var store = fixture.Open(ns);
        var a = new Owner("c", "default/a", "net1");
        await store.Apply(new StoreOp.CreateReservation(key, a), default);
        // The delete carries the resourceVersion it read: a concurrent re-create by another pod fails it.
        Server.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var delete = store.Apply(new StoreOp.DeleteReservation(key, a), default);
        await Task.Delay(150);
        Server.Faults.Latency = TimeSpan.Zero;
        Server.Delete("overlappingrangeipreservations", ns, key.Name);
        Server.Put("overlappingrangeipreservations", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = key.Name },
            ["spec"] = new JsonObject { ["podref"] = "default/b", ["ifname"] = "net1" },
        });
        var result = await delete;
        Assert.Equal(ApplyResult.Conflict, result);
        Assert.Equal("default/b", (string)Server.Get("overlappingrangeipreservations", ns, key.Name)!["spec"]!["podref"]!);
    }

    [Fact]
    public async Task TheNamespaceComesFromTheKubeconfigContext()
    {
        await using var store = fixture.Open(ns);
        var key = PoolKey.For(C("10.40.0.0/24"), "");
        await store.Apply(new StoreOp.CreatePool(key, PoolState.Empty(key.Range)), default);
        Assert.NotNull(Server.Get("ippools", ns, "10.40.0.0-24"));
        Assert.Null(Server.Get("ippools", "kube-system", "10.40.0.0-24"));
    }

    [Fact]
    public async Task StatusListsAtMostOnePool()
    {
        await using var store = fixture.Open(ns);
        var before = Server.RequestCount(KubeVerbs.List, "ippools");
        await store.Ping(default);
        Assert.Equal(before + 1, Server.RequestCount(KubeVerbs.List, "ippools"));
    }
}

/// <summary>The kubeconfig's trust, exactly: its CA (inline or by file), nothing else; or none when it says so.</summary>
public sealed class KubernetesTlsTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    static PoolKey Key => PoolKey.For(Cidr.Parse("10.41.0.0/24").IfFail(default(Cidr)), "");

    [Fact]
    public async Task TheCaMayBeAFileBesideTheKubeconfig()
    {
        var ns = KubeServerFixture.FreshNamespace();
        await using var store = KubernetesPoolStore.Open(fixture.Kubeconfig(ns, inlineCa: false), Log.Silent);
        Assert.False((await store.LoadPool(Key, default)).Exists);
    }

    [Fact]
    public async Task AServerNotSignedByTheKubeconfigsCaIsRefusedForGood()
    {
        var ns = KubeServerFixture.FreshNamespace();
        await using var other = await KubeTestServer.KubeTestServer.StartAsync();
        var path = fixture.Kubeconfig(ns);
        // Same server, but the CA of another test server: the chain does not end at a trusted root.
        var otherCa = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(other.CaPem));
        var mine = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(fixture.Server.CaPem));
        File.WriteAllText(path, File.ReadAllText(path).Replace(mine, otherCa));
        await using var store = KubernetesPoolStore.Open(path, Log.Silent);
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.LoadPool(Key, default));
        Assert.False(e.Transient);
        Assert.Contains("TLS", e.Message);
        Assert.Contains("certificate-authority", e.Message);
    }

    [Fact]
    public async Task InsecureSkipTlsVerifyTrustsAnyServer()
    {
        var ns = KubeServerFixture.FreshNamespace();
        var path = fixture.Kubeconfig(ns);
        var text = File.ReadAllText(path);
        var start = text.IndexOf("certificate-authority-data", StringComparison.Ordinal);
        var end = text.IndexOf('\n', start);
        File.WriteAllText(path, text[..start] + "insecure-skip-tls-verify: true" + text[end..]);
        await using var store = KubernetesPoolStore.Open(path, Log.Silent);
        Assert.False((await store.LoadPool(Key, default)).Exists);
    }

    [Fact]
    public async Task AnUnreachableServerIsTransient()
    {
        var path = Path.Combine(fixture.Dir, "unreachable.kubeconfig");
        File.WriteAllText(path, "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:1\", insecure-skip-tls-verify: true}}]\n");
        await using var store = KubernetesPoolStore.Open(path, Log.Silent);
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.LoadPool(Key, default));
        Assert.True(e.Transient);
    }

    [Fact]
    public async Task AMissingCrdIsAPermanentErrorThatSaysInstallTheCrds()
    {
        var path = fixture.Kubeconfig(KubeServerFixture.FreshNamespace());
        // The fake server serves any plural, so point at a path it has no route for: the apiserver's answer
        // for a resource it does not know (404 with no object named in the Status).
        var bad = new KubernetesPoolStore(Kubeconfig.Load(path) with { Server = new Uri(fixture.Server.BaseAddress, "nope/") }, Log.Silent);
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => bad.LoadPool(Key, default));
        Assert.False(e.Transient);
        Assert.Contains("install the whereabouts CRDs", e.Message);
        await bad.DisposeAsync();
    }
}

/// <summary>Node slices: this node's slice from the NodeSlicePool, or a clear failure.</summary>
public sealed class KubernetesNodeSliceTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    [Fact]
    public async Task FindsThisNodesSliceAndItsPoolName()
    {
        var ns = KubeServerFixture.FreshNamespace();
        fixture.Server.Put("nodeslicepools", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "blue" },
            ["spec"] = new JsonObject { ["range"] = "10.0.0.0/16", ["sliceSize"] = "/24" },
            ["status"] = new JsonObject
            {
                ["allocations"] = new JsonArray(
                    new JsonObject { ["nodeName"] = "worker-1", ["sliceRange"] = "10.0.0.0/24" },
                    new JsonObject { ["nodeName"] = "worker-2", ["sliceRange"] = "10.0.1.0/24" },
                    new JsonObject { ["nodeName"] = "", ["sliceRange"] = "10.0.2.0/24" }),
            },
        });
        await using var store = fixture.Open(ns);
        INodeSlices slices = new KubernetesNodeSlices(store);
        var slice = (await slices.SliceOf("blue", "worker-2", default)).ThrowIfFail();
        Assert.Equal("10.0.1.0/24", slice.ToString());
        var sliced = RangeSpec.Of(Cidr.Parse("10.0.0.0/16").ThrowIfFail()).InSlice(new NodeSlice(slice, "worker-2"));
        Assert.Equal("blue-worker-2-10.0.1.0-24", PoolKey.Of(sliced, "blue").Name);
        Assert.Equal("worker-2-10.0.1.0-24", PoolKey.Of(sliced, "").Name);
        var unassigned = await slices.SliceOf("blue", "worker-9", default);
        unassigned.IfSucc(s => Assert.Fail($"worker-9 has no slice, yet got {s}"));
        unassigned.IfFail(e => Assert.Equal((Core.Errors.TryAgainLaterCode, true), (e.Code, e.Message.Contains("no allocated node slice for node worker-9"))));
        var missing = await slices.SliceOf("red", "worker-1", default);
        missing.IfSucc(s => Assert.Fail($"there is no NodeSlicePool red, yet got {s}"));
        missing.IfFail(e => Assert.Contains("NodeSlicePool " + ns + "/red does not exist", e.Message));
    }
}
