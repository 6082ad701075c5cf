using System.Collections.Immutable;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Reclaim;

/// <summary>Reservations to delete now, and when each unbacked one was first seen so (carried to the next sweep).</summary>
public sealed record OrphanVerdicts(ImmutableArray<ReservationEntry> Delete, ImmutableDictionary<ReservationEntry, DateTimeOffset> Seen);

/// <summary>
/// Reservations no pool backs: an ADD died between its reservation and its pool write, or a DEL between its
/// pool write and its reservation delete (docs/architecture.md, "Crash points").
/// <code>
///   backed(r)  = ∃ reading (network, address) of r's name, ∃ pool p of that network: p holds address
///   delete(r)  = ¬backed(r) ∧ unbacked for ≥ grace (first seen so by this controller)
/// </code>
/// Any holder of the address backs it: a reservation whose address someone holds is not an orphan, whoever
/// that is. An ADD in flight holds its reservation without a pool entry for a moment; the grace period is
/// for it. The shell reads the pools again before it deletes, and deletes only while the reservation holds
/// exactly the owner seen here.
/// </summary>
public static class Orphans
{
    public static OrphanVerdicts Decide(
        ImmutableArray<PoolSnapshot> pools, ImmutableArray<ReservationEntry> reservations,
        ImmutableDictionary<ReservationEntry, DateTimeOffset> seen, DateTimeOffset now, TimeSpan grace)
    {
        var unbacked = reservations.Where(r => !Backed(pools, r.Name)).ToImmutableArray();
        var sightings = unbacked.ToImmutableDictionary(r => r, r => seen.TryGetValue(r, out var first) ? first : now);
        return new OrphanVerdicts(unbacked.Where(r => now - sightings[r] >= grace).ToImmutableArray(), sightings);
    }

    /// <summary>Whether some pool that can be the reservation's network's holds its address.</summary>
    public static bool Backed(ImmutableArray<PoolSnapshot> pools, string reservationName) =>
        ReservationNames.Readings(reservationName).Any(reading => pools.Any(p =>
            reading.MayBeBackedBy(p.Key)
            && p.State.Range.OffsetOf(reading.Key.Address).Exists(o => p.State.At(o) is not null)));
}
