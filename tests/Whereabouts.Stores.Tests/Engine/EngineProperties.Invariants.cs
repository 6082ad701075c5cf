using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Xunit;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>What must hold after every step of a run, and after every ADD that succeeded.</summary>
public sealed partial class EngineProperties
{
    /// <summary>The store records each lease for exactly this owner (new container ID included), with its reservation.</summary>
    static async Task AssertHolds(World w, NetworkScope scope, Owner owner, ImmutableArray<Lease> leases)
    {
        Assert.Equal(scope.Ranges.Length, leases.Length);
        var reservations = (await w.Store.Reservations()).ToDictionary(r => r.Name, r => r.Owner);
        foreach (var (range, lease) in scope.Ranges.Zip(leases))
        {
            Assert.Equal(range.Network, lease.Range);
            var key = PoolKey.For(range.Range, scope.NetworkName);
            var held = (await w.Store.StateOf(key)).At(key.Range.OffsetOf(lease.Address).IfNone(() => throw new InvalidOperationException($"{lease} outside {key.Range}")));
            Assert.Equal(owner, held?.Owner);
            if (scope.OverlappingRanges)
                Assert.True(reservations.TryGetValue(ReservationKey.For(lease.Address, scope.NetworkName).Name, out var r) && SamePodInterface(r, owner),
                    $"{lease.Address} has no reservation for {owner}");
        }
    }

    static async Task AssertAddIsIdempotent(World w, AddRequest request, ImmutableArray<Lease> leases)
    {
        var again = Allocator.Decide(request, await w.Store.Load(request.Scope), await w.Store.AllReservations()).ThrowIfFail();
        Assert.True(again.IsEmpty, $"a repeated ADD must write nothing, but planned {string.Join(", ", again.Ops)}");
        Assert.Equal(leases.ToArray(), LeasesOf(again).ToArray());
    }

    static async Task CheckInvariants(World w)
    {
        var allocatable = w.Scopes.SelectMany(s => s.Ranges)
            .GroupBy(r => PoolKey.For(r.Range, w.Run.NetworkName).Name)
            .ToDictionary(g => g.Key, g => g.Select(r => Allocatable.Of(r).ThrowIfFail()).ToArray());
        var holders = new Dictionary<Address, Owner>();
        foreach (var pool in await w.Store.Pools())
        {
            Assert.Equal(pool.Key.Range, pool.State.Range);
            Assert.Equal(pool.State.Allocations.Select(a => a.Offset).ToArray(), pool.State.Used.Offsets().ToArray());
            foreach (var a in pool.State.Allocations)
            {
                Assert.True(allocatable[pool.Key.Name].Any(set => set.Contains(a.Offset)),
                    $"{pool.Key.Range.AddressAt(a.Offset)} in {pool.Key.Name} is outside every range that uses the pool");
                Assert.Single(pool.State.Allocations, b => SamePodInterface(b.Owner, a.Owner));
                var address = pool.Key.Range.AddressAt(a.Offset);
                if (w.Run.Overlapping)
                    Assert.True(holders.TryAdd(address, a.Owner), $"{address} is held twice: by {a.Owner} and by {holders.GetValueOrDefault(address)}");
            }
        }
        var reserved = (await w.Store.Reservations()).ToDictionary(r => r.Name, r => r.Owner);
        if (!w.Run.Overlapping)
        {
            Assert.Empty(reserved);
            return;
        }
        Assert.Equal(holders.Keys.Select(a => ReservationKey.For(a, w.Run.NetworkName).Name).Order(StringComparer.Ordinal), reserved.Keys.Order(StringComparer.Ordinal));
        foreach (var (address, owner) in holders)
            Assert.True(SamePodInterface(reserved[ReservationKey.For(address, w.Run.NetworkName).Name], owner), $"the reservation of {address} is not {owner}'s");
    }
}
