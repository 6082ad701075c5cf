using System.Collections.Immutable;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Stores.Tests.Reclaim;

/// <summary>The reclaim writer the controller and `kubectl whereabouts release` share, over the real in-memory store.</summary>
public sealed class ReclaimerTests
{
    static readonly Cidr Range = Cidr.Parse("10.1.0.0/24").Match(c => c, e => throw new InvalidOperationException(e.Message));
    static readonly PoolKey Key = PoolKey.For(Range, "");
    static readonly Owner Gone = new("c-gone", "default/gone", "net1");
    static readonly Owner Live = new("c-live", "default/live", "net1");

    readonly InMemoryPoolStore store = new();
    Reclaimer Reclaimer => new(store, TimeProvider.System, Log.Silent);

    async Task Reserve(string name, Owner owner) =>
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreateReservation(new ReservationKey(name, Address.Parse(name.Split('-')[^1]).Match(a => a, _ => Range.Network)), owner), default));

    [Fact]
    public async Task ReleaseFreesExactlyTheGivenAllocationsAndTheirReservations()
    {
        var gone = new Allocation(2, Gone);
        var live = new Allocation(1, Live);
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreatePool(Key, PoolState.Empty(Range).With(live).With(gone)), default));
        await Reserve("10.1.0.1", Live);
        await Reserve("10.1.0.2", Gone);
        var result = await Reclaimer.Release(Key, [gone], await store.ListReservations("", default), default);
        var (_, freed) = result.Match(r => r, e => throw new InvalidOperationException(e.Message));
        Assert.Equal([gone], freed.ToArray());
        Assert.Equal([live], (await store.LoadPool(Key, default)).State.Allocations.ToArray());
        Assert.Equal(["10.1.0.1"], (await store.ListReservations("", default)).Select(r => r.Name));
    }

    [Fact]
    public async Task AnOrphanIsDeletedOnlyWhileUnbackedAndStillItsOwners()
    {
        await Reserve("10.1.0.9", Gone);
        var orphan = new ReservationEntry("10.1.0.9", Gone);
        // Backed by a pool read again: kept.
        var backing = new PoolSnapshot(Key, new StoreVersion("1"), PoolState.Empty(Range).With(new Allocation(9, Gone)));
        Assert.Equal(OrphanDeletion.BackedAgain, await Reclaimer.DeleteOrphan(orphan, [backing], default));
        // Taken over by another sandbox since it was seen: the guarded delete does nothing.
        Assert.Equal(OrphanDeletion.TakenOver, await Reclaimer.DeleteOrphan(orphan with { Owner = Live }, [], default));
        Assert.Single(await store.ListReservations("", default));
        Assert.Equal(OrphanDeletion.Deleted, await Reclaimer.DeleteOrphan(orphan, [], default));
        Assert.Empty(await store.ListReservations("", default));
        Assert.Equal(OrphanDeletion.AlreadyGone, await Reclaimer.DeleteOrphan(orphan, [], default));
    }

    [Fact]
    public async Task AReservationWhoseNameIsNoAddressIsKept()
    {
        var odd = new ReservationEntry("not-an-address", Gone);
        Assert.True(Reclaimer.OrphanDelete(odd).IsNone);
        Assert.Equal(OrphanDeletion.NotAnAddress, await Reclaimer.DeleteOrphan(odd, ImmutableArray<PoolSnapshot>.Empty, default));
    }
}
