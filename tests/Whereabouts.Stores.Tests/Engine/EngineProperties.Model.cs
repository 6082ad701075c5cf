using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>The model the runs are checked against: which address an ADD must get, and what the store must hold.</summary>
public sealed partial class EngineProperties
{
    static Option<Address> RequestedAddress(NetworkScope scope, Request request)
    {
        var range = scope.Ranges[request.Range % scope.Ranges.Length];
        return request.Kind switch
        {
            RequestKind.None => Option<Address>.None,
            RequestKind.Outside => range.Network.Family == IpFamily.V4 ? A("192.0.2.1") : A("2001:db8::1"),
            _ => range.Network.AddressAt(Near(Allocatable.Of(range).ThrowIfFail().Intervals[0].Lo, request.Delta)),
        };
    }

    /// <summary><paramref name="first"/> moved by <paramref name="delta"/>, stopping at 0.</summary>
    static UInt128 Near(UInt128 first, int delta) =>
        delta >= 0 ? first + (UInt128)delta : first - UInt128.Min(first, (UInt128)(-delta));

    static IEnumerable<UInt128> Members(RangeSpec range)
    {
        foreach (var iv in Allocatable.Of(range).ThrowIfFail().Intervals)
            for (var o = iv.Lo; o <= iv.Hi; o++) yield return o;
    }

    /// <summary>
    /// What ADD must do, range by range in order: the address already held; else the requested address if it is
    /// allocatable, free and not reserved by another pod (else 102 or 101); else the lowest allocatable offset
    /// that is free and not reserved by another pod (else 100). A request outside every range is 102.
    /// </summary>
    static async Task<Either<int, Address[]>> ExpectedAdd(InMemoryPoolStore store, NetworkScope scope, Owner owner, Option<Address> requested, KnownReservations known)
    {
        var leases = new List<Address>();
        foreach (var range in scope.Ranges)
        {
            var key = PoolKey.For(range.Range, scope.NetworkName);
            var allocations = (await store.StateOf(key)).Allocations;
            bool Taken(UInt128 offset) => allocations.Any(a => a.Offset == offset);
            bool ReservedByOther(Address a) => scope.OverlappingRanges
                && known.Owners.Find(ReservationKey.For(a, scope.NetworkName).Name).Exists(r => !SamePodInterface(r, owner));
            var held = allocations.FirstOrDefault(a => SamePodInterface(a.Owner, owner));
            if (held is not null) { leases.Add(key.Range.AddressAt(held.Offset)); continue; }
            var wanted = requested.Filter(a => range.Network.Contains(a));
            if (wanted.IsSome)
            {
                var a = wanted.IfNone(default(Address));
                var offset = a.Value - range.Network.Network.Value;
                if (!Members(range).Contains(offset)) return 102;
                if (Taken(offset) || ReservedByOther(a)) return 101;
                leases.Add(a);
                continue;
            }
            var free = Members(range).Where(o => !Taken(o) && !ReservedByOther(range.Network.AddressAt(o))).Select(o => (UInt128?)o).FirstOrDefault();
            if (free is null) return 100;
            leases.Add(range.Network.AddressAt(free.Value));
        }
        if (requested.Exists(a => !scope.Ranges.Exists(r => r.Network.Contains(a)))) return 102;
        return leases.ToArray();
    }

    static bool SamePodInterface(Owner a, Owner b) => a.PodRef == b.PodRef && a.IfName == b.IfName;

    static ImmutableArray<Lease> LeasesOf(Plan plan) => Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases;

    /// <summary>What the store holds, one line per allocation (by pod interface) and per reservation.</summary>
    static async Task<string[]> Holdings(InMemoryPoolStore store) =>
        (await store.Pools()).SelectMany(p => p.State.Allocations.Select(a => Holding(p.Key, a.Offset, a.Owner)))
            .Concat((await store.Reservations()).Select(r => Holding(r.Name, r.Owner))).ToArray();

    /// <summary>The lines an ADD's leases must add to <see cref="Holdings"/>.</summary>
    static IEnumerable<string> HoldingsOf(NetworkScope scope, Owner owner, ImmutableArray<Lease> leases)
    {
        foreach (var (range, lease) in scope.Ranges.Zip(leases))
        {
            var key = PoolKey.For(range.Range, scope.NetworkName);
            var offset = key.Range.OffsetOf(lease.Address).IfNone(() => throw new InvalidOperationException($"{lease} outside {key.Range}"));
            yield return Holding(key, offset, owner);
            if (scope.OverlappingRanges) yield return Holding(ReservationKey.For(lease.Address, scope.NetworkName).Name, owner);
        }
    }

    static string Holding(PoolKey pool, UInt128 offset, Owner owner) => $"pool {pool.Name} {offset} {owner.PodRef}/{owner.IfName}";

    static string Holding(string reservation, Owner owner) => $"reservation {reservation} {owner.PodRef}/{owner.IfName}";
}
