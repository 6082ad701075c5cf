using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Memory;
using Xunit;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>DEL, GC and CHECK on what earlier ADDs wrote.</summary>
public sealed partial class EngineTests
{
    [Fact]
    public async Task WithoutOverlappingRangesNoReservationIsTouched()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope(false, "", RangeSpec.Of(C("10.0.0.0/24")));
        var add = await Add(store, PodA, scope);
        Assert.DoesNotContain(add.Ops, o => o is StoreOp.CreateReservation);
        var del = Releaser.Decide(new DelRequest(PodA.ContainerId, PodA.IfName, scope), await store.Load(scope));
        Assert.Equal(["ReplacePool"], del.Ops.Map(o => o.GetType().Name).ToArray());
    }

    [Fact]
    public async Task DelReleasesInEveryRangeAndDeletesReservationsOnlyIfStillOwned()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope(true, "blue", RangeSpec.Of(C("10.0.0.0/24")), RangeSpec.Of(C("fd00::/64")));
        await Add(store, PodA, scope);
        var del = Releaser.Decide(new DelRequest(PodA.ContainerId, "net1", scope), await store.Load(scope));
        Assert.Equal(
            ["ReplacePool blue-10.0.0.0-24", "ReplacePool blue-fd00---64", "DeleteReservation blue-10.0.0.1", "DeleteReservation blue-fd00--1"],
            del.Ops.Map(o => o switch
            {
                StoreOp.ReplacePool r => $"ReplacePool {r.Pool.Name}",
                StoreOp.DeleteReservation d => $"DeleteReservation {d.Key.Name}",
                _ => o.ToString(),
            }).ToArray());
        Assert.All(del.Ops.OfType<StoreOp.DeleteReservation>(), d => Assert.Equal(PodA, d.IfOwnedBy));
        Assert.Equal(["10.0.0.1", "fd00::1"], Assert.IsType<Outcome.Released>(del.Outcome).Addresses.Map(a => a.ToString()).ToArray());
        await Applies(store, del);
        Assert.Equal("", await store.Describe());
    }

    [Fact]
    public async Task AnUpstreamEntryWithoutAnInterfaceNameIsReleasedByItsContainer()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/24");
        var key = scope.PoolKeys[0];
        await store.Seed(key, PoolState.Of(key.Range, [new Allocation(9, new Owner("legacy", "default/old", ""))]));
        var plan = Releaser.Decide(new DelRequest("legacy", "net1", scope), await store.Load(scope));
        Assert.Equal(["10.0.0.9"], Assert.IsType<Outcome.Released>(plan.Outcome).Addresses.Map(a => a.ToString()).ToArray());
    }

    [Fact]
    public async Task GcReleasesExactlyTheAttachmentsNotListedAsValid()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/24");
        await Add(store, PodA, scope);
        await Add(store, PodB, scope);
        await Add(store, PodB with { IfName = "net2", PodRef = "default/pod-b2" }, scope);
        var gc = Releaser.Collect(new GcRequest([new Attachment("sandbox-2", "net1")], scope, new GcOwnership.AllLocal()), await store.Load(scope));
        Assert.Equal(["10.0.0.1", "10.0.0.3"], Assert.IsType<Outcome.Released>(gc.Outcome).Addresses.Map(a => a.ToString()).ToArray());
        await Applies(store, gc);
        Assert.Equal("10.0.0.0-24: 2=sandbox-2/default/pod-b/net1\nreservation 10.0.0.2=default/pod-b/net1", await store.Describe());
    }

    [Fact]
    public async Task CheckPassesForTheHeldAddressesAndNamesWhatIsMissingOrDifferent()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/24", "fd00::/64");
        var leases = Leases(await Add(store, PodA, scope)).Select(l => l.Address).ToImmutableArray();
        var staticAddress = A("192.168.9.9");
        Assert.True(Checker.Decide(new CheckRequest(PodA.ContainerId, "net1", scope, leases.Add(staticAddress)), await store.Load(scope)).IsSucc);
        Assert.True(Checker.Decide(new CheckRequest(PodA.ContainerId, "net1", scope, ImmutableArray<Address>.Empty), await store.Load(scope)).IsSucc);

        var mismatch = Checker.Decide(new CheckRequest(PodA.ContainerId, "net1", scope, [A("10.0.0.7"), A("fd00::1")]), await store.Load(scope));
        mismatch.Match(Succ: _ => Assert.Fail("10.0.0.7 is not held"), Fail: e =>
        {
            Assert.Equal(Errors.AllocationMismatchCode, e.Code);
            Assert.Contains("10.0.0.7", e.Message);
            Assert.Contains("10.0.0.1", e.Message);
        });

        var missing = Checker.Decide(new CheckRequest("sandbox-x", "net1", scope, ImmutableArray<Address>.Empty), await store.Load(scope));
        missing.Match(Succ: _ => Assert.Fail("sandbox-x holds nothing"), Fail: e =>
        {
            Assert.Equal(Errors.AllocationMissingCode, e.Code);
            Assert.Contains("10.0.0.0/24", e.Message);
        });
    }
}
