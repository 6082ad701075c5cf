using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Engine;
using Whereabouts.Stores.Memory;
using Xunit;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>Node-slice mode: each node allocates in its own slice pool, answering with the whole range's prefix.</summary>
public sealed partial class EngineTests
{
    [Fact]
    public async Task InNodeSliceModeAddAllocatesInTheNodesSlicePoolAndAnswersWithTheRangesPrefix()
    {
        var store = new InMemoryPoolStore();
        var worker1 = Scope(true, "blue", Sliced("10.20.0.0/16", "10.20.1.0/24", "worker-1"));
        var worker2 = Scope(true, "blue", Sliced("10.20.0.0/16", "10.20.2.0/24", "worker-2"));

        Assert.Equal("10.20.1.1/16", Leases(await Add(store, PodA, worker1)).Single().ToString());
        Assert.Equal("10.20.2.1/16", Leases(await Add(store, PodB, worker2)).Single().ToString());
        Assert.Equal("10.20.1.2/16", Leases(await Add(store, new Core.Pools.Owner("s3", "default/pod-c", "net1"), worker1)).Single().ToString());

        // Upstream's names and offsets: the pool is the node's, offsets count from the slice's network.
        Assert.Equal(["blue-worker-1-10.20.1.0-24", "blue-worker-2-10.20.2.0-24"], (await store.Pools()).Select(p => p.Key.Name).Order(StringComparer.Ordinal).ToArray());
        var pool = await store.Pool("blue-worker-1-10.20.1.0-24");
        Assert.Equal(C("10.20.1.0/24"), pool.State.Range);
        Assert.Equal([(UInt128)1, (UInt128)2], pool.State.Allocations.Select(a => a.Offset).Order().ToArray());
        // Reservations are cluster-wide per address, unchanged by slicing.
        var reservations = (await store.Reservations()).Select(r => r.Name).ToArray();
        Assert.Contains("blue-10.20.1.1", reservations);
        Assert.Contains("blue-10.20.2.1", reservations);
    }

    [Fact]
    public async Task InNodeSliceModeCheckAndDelFindTheAllocationInTheSlicePool()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope(true, "", Sliced("10.21.0.0/16", "10.21.7.0/26", "worker-7"));
        await Add(store, PodA, scope);
        Assert.True(Checker.Decide(new CheckRequest(PodA.ContainerId, PodA.IfName, scope, [A("10.21.7.1")]), await store.Load(scope)).IsSucc);
        var del = Releaser.Decide(new DelRequest(PodA.ContainerId, PodA.IfName, scope), await store.Load(scope));
        Assert.Equal([A("10.21.7.1")], Assert.IsType<Outcome.Released>(del.Outcome).Addresses.ToArray());
        await Applies(store, del);
        Assert.Empty((await store.Pool("worker-7-10.21.7.0-26")).State.Allocations);
    }

    [Fact]
    public async Task AFullSliceIsReportedAsTheNodesSliceNotTheWholeRange()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope(true, "", Sliced("10.22.0.0/16", "10.22.3.0/30", "worker-3"));
        await Add(store, PodA, scope);
        await Add(store, PodB, scope);
        var full = Allocator.Decide(new AddRequest(new Core.Pools.Owner("s3", "default/pod-c", "net1"), scope, []), await store.Load(scope), await store.AllReservations());
        Assert.True(full.IsFail);
        full.IfFail(e =>
        {
            Assert.Equal(Errors.RangeExhaustedCode, e.Code);
            Assert.Contains("worker-3's slice 10.22.3.0/30", e.Message);
        });
    }
}
