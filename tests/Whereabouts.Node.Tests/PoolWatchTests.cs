using System.Text.Json.Nodes;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Kube;
using Whereabouts.Node.Kube;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Node.Tests;

/// <summary>
/// The watched cache against the API test server (which serves watch as the API documents it): it follows
/// creates, updates and deletes, lists again after 410 Gone, and once synced a pool read makes no request.
/// </summary>
public sealed class PoolWatchTests : IAsyncLifetime
{
    const string Ns = "kube-system";
    readonly string dir = Directory.CreateTempSubdirectory("wb-node-watch-").FullName;
    KubeTestServer.KubeTestServer server = null!;
    KubeClientConnection kube = null!;
    PoolCache cache = null!;
    ObjectWatch watch = null!;
    readonly CancellationTokenSource stop = new();

    public async Task InitializeAsync()
    {
        server = await KubeTestServer.KubeTestServer.StartAsync();
        var kubeconfig = server.WriteKubeconfig(Path.Combine(dir, "whereabouts.kubeconfig"), Ns);
        Seed("10.1.0.0/24", "10.1.0.0-24", 1);
        kube = new KubeClientConnection(false, kubeconfig, "");
        cache = new PoolCache(TimeProvider.System);
        watch = new ObjectWatch(kube, KubernetesPoolStore.Pools, cache, Log.Silent, TimeProvider.System);
        await watch.StartAsync(stop.Token);
        await watch.Synced.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await watch.StopAsync(default);
        kube.Dispose();
        await server.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    static PoolKey Key(string range, string name) => new(name, Cidr.Parse(range).ThrowIfFail());

    void Seed(string range, string name, int allocations)
    {
        var spec = new JsonObject();
        for (var i = 1; i <= allocations; i++) spec[i.ToString()] = new JsonObject { ["id"] = $"c{i}", ["podref"] = $"default/p{i}", ["ifname"] = "net1" };
        server.Put("ippools", Ns, new JsonObject
        {
            ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
            ["kind"] = "IPPool",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["range"] = range, ["allocations"] = spec },
        });
    }

    string StoredVersion(string name) => (string)server.Get("ippools", Ns, name)!["metadata"]!["resourceVersion"]!;

    /// <summary>Waits until the cache shows what <paramref name="expected"/> says (the watch is asynchronous).</summary>
    async Task Eventually(Func<bool> expected, string what)
    {
        for (var i = 0; i < 300 && !expected(); i++) await Task.Delay(20);
        Assert.True(expected(), what);
    }

    [Fact]
    public async Task TheCacheFollowsCreatesUpdatesAndDeletes()
    {
        Assert.Single(cache.Find(Key("10.1.0.0/24", "10.1.0.0-24"))!.State.Allocations);
        Seed("10.2.0.0/24", "10.2.0.0-24", 3);
        await Eventually(() => cache.Find(Key("10.2.0.0/24", "10.2.0.0-24"))?.State.Allocations.Length == 3, "a created pool shows");
        Seed("10.2.0.0/24", "10.2.0.0-24", 5);
        await Eventually(() => cache.Find(Key("10.2.0.0/24", "10.2.0.0-24"))?.Version.Map(v => v.Value).IfNone("") == StoredVersion("10.2.0.0-24"), "an update shows at its version");
        Assert.Equal(5, cache.Find(Key("10.2.0.0/24", "10.2.0.0-24"))!.State.Allocations.Length);
        server.Delete("ippools", Ns, "10.2.0.0-24");
        await Eventually(() => cache.Find(Key("10.2.0.0/24", "10.2.0.0-24")) is { Exists: false }, "a deleted pool is missing");
    }

    [Fact]
    public async Task ReservationsSeenByTheWatchSteerDecisionsOnceSynced()
    {
        var seen = new ReservationCache();
        Assert.True(seen.Steer(Core.Engine.KnownReservations.None).Seen.IsEmpty);
        var reservations = new ObjectWatch(kube, KubernetesPoolStore.Reservations, seen, Log.Silent, TimeProvider.System);
        await reservations.StartAsync(stop.Token);
        await reservations.Synced.WaitAsync(TimeSpan.FromSeconds(30));
        server.Put("overlappingrangeipreservations", Ns, new JsonObject
        {
            ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
            ["kind"] = "OverlappingRangeIPReservation",
            ["metadata"] = new JsonObject { ["name"] = "10.1.0.9" },
            ["spec"] = new JsonObject { ["containerid"] = "cx", ["podref"] = "other/pod", ["ifname"] = "net1" },
        });
        await Eventually(() => seen.Count == 1, "the reservation shows");
        var owner = seen.Steer(Core.Engine.KnownReservations.None).Seen.Find("10.1.0.9");
        Assert.Equal("other/pod", owner.Map(o => o.PodRef).IfNone(""));
        server.Delete("overlappingrangeipreservations", Ns, "10.1.0.9");
        await Eventually(() => seen.Count == 0, "a deleted reservation goes");
        await reservations.StopAsync(default);
    }

    [Fact]
    public async Task ANodeSliceIsReadFromTheWatchedNodeSlicePool()
    {
        var slicePools = new NodeSliceCache();
        var sliceWatch = new ObjectWatch(kube, KubernetesPoolStore.NodeSlicePools, slicePools, Log.Silent, TimeProvider.System);
        await sliceWatch.StartAsync(stop.Token);
        await sliceWatch.Synced.WaitAsync(TimeSpan.FromSeconds(30));
        var store = new CachedPoolStore(new KubernetesPoolStore(kube.Connection, Log.Silent), cache, slicePools);
        var missing = await store.SliceOf("blue", "worker-1", default);
        missing.IfSucc(c => Assert.Fail($"there is no NodeSlicePool blue yet, but got {c}"));
        server.Put("nodeslicepools", Ns, new JsonObject
        {
            ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
            ["kind"] = "NodeSlicePool",
            ["metadata"] = new JsonObject { ["name"] = "blue" },
            ["spec"] = new JsonObject { ["range"] = "10.8.0.0/16", ["sliceSize"] = "/24" },
            ["status"] = new JsonObject { ["allocations"] = new JsonArray(new JsonObject { ["nodeName"] = "worker-1", ["sliceRange"] = "10.8.3.0/24" }) },
        });
        var gets = server.RequestCount("get", "nodeslicepools");
        for (var i = 0; i < 300 && (await store.SliceOf("blue", "worker-1", default)).IsFail; i++) await Task.Delay(20);
        Assert.Equal("10.8.3.0/24", (await store.SliceOf("blue", "worker-1", default)).ThrowIfFail().ToString());
        Assert.Equal(gets, server.RequestCount("get", "nodeslicepools"));
        await sliceWatch.StopAsync(default);
    }

    [Fact]
    public async Task AfterGoneItListsAgainAndCatchesUpOnWhatItMissed()
    {
        var listsBefore = server.RequestCount("list", "ippools");
        // The watch is ended and its place forgotten: resuming from it is 410 Gone, so the watch lists again.
        server.Compact();
        server.CloseWatches();
        Seed("10.3.0.0/24", "10.3.0.0-24", 2);
        server.Compact();
        await Eventually(() => cache.Find(Key("10.3.0.0/24", "10.3.0.0-24"))?.State.Allocations.Length == 2, "the pool made while the watch was away shows");
        Assert.True(server.RequestCount("list", "ippools") > listsBefore, "the watch listed again");
    }

    [Fact]
    public async Task OnceSyncedAPoolReadMakesNoRequestAndAWriteKeepsTheCacheCurrent()
    {
        var kubeStore = new KubernetesPoolStore(kube.Connection, Log.Silent);
        kubeStore.PoolWritten += cache.Put;
        var store = new CachedPoolStore(kubeStore, cache);
        var key = Key("10.1.0.0/24", "10.1.0.0-24");
        var gets = server.RequestCount("get", "ippools");
        var read = await store.LoadPool(key, default);
        Assert.Single(read.State.Allocations);
        Assert.Equal(gets, server.RequestCount("get", "ippools"));

        var next = read.State.With(new Allocation(7, new Owner("c7", "default/p7", "net1")));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new Core.Engine.StoreOp.ReplacePool(read, next), default));
        // The server's answer is the cache's at once: the next decision needs no read and no watch event.
        var after = await store.LoadPool(key, default);
        Assert.Equal(StoredVersion("10.1.0.0-24"), after.Version.Map(v => v.Value).IfNone(""));
        Assert.Equal(2, after.State.Allocations.Length);
        Assert.Equal(gets, server.RequestCount("get", "ippools"));

        // A write at a stale version loses, and the pool is read before the next decision.
        Assert.Equal(ApplyResult.Conflict, await store.Apply(new Core.Engine.StoreOp.ReplacePool(read, next), default));
        Assert.Equal(StoredVersion("10.1.0.0-24"), (await store.LoadPool(key, default)).Version.Map(v => v.Value).IfNone(""));
        Assert.Equal(gets + 1, server.RequestCount("get", "ippools"));
    }
}
