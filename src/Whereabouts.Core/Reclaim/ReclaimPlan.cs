using System.Collections.Immutable;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Reclaim;

/// <summary>
/// Releasing leaks of one pool as the store's plan, decided again on each fresh read of the pool: exactly the
/// leaked allocations it still has (same offset, same owner) go, in one write guarded by its version; then the
/// reservations of their addresses that their owners hold, each delete guarded by that owner, as DEL does.
/// An allocation that changed meanwhile (a new sandbox of the pod) is no longer the one judged, and stays.
/// </summary>
public static class ReclaimPlan
{
    public static Plan For(PoolSnapshot pool, ImmutableArray<Allocation> leaked, ImmutableArray<ReservationEntry> reservations)
    {
        var gone = pool.State.Allocations.Where(leaked.Contains).ToImmutableArray();
        if (gone.IsEmpty) return new Plan(ImmutableArray<Step>.Empty, new Outcome.Released(ImmutableArray<Addresses.Address>.Empty));
        var write = new Step(new StoreOp.ReplacePool(pool, gone.Aggregate(pool.State, (s, a) => s.Without(a.Offset))), ImmutableArray<Undo>.Empty);
        var addresses = gone.Select(a => (Address: pool.Key.Range.AddressAt(a.Offset), a.Owner)).ToImmutableArray();
        var deletes = addresses.SelectMany(x => reservations
                .Where(r => Ownership.Holds(r.Owner, x.Owner))
                .SelectMany(r => ReservationNames.Readings(r.Name)
                    .Where(reading => reading.Key.Address == x.Address && reading.MayBeBackedBy(pool.Key))
                    .Take(1)
                    .Select(reading => new Step(new StoreOp.DeleteReservation(reading.Key, x.Owner), ImmutableArray<Undo>.Empty))))
            .ToImmutableArray();
        return new Plan(deletes.Insert(0, write), new Outcome.Released(addresses.Select(x => x.Address).ToImmutableArray()));
    }
}
