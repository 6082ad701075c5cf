using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// DEL and GC as pure decisions. Releasing never creates anything: a pool that does not exist holds nothing
/// to release (unless a batch's earlier request has just filled it: <see cref="Batch"/>). Each changed pool is written once, guarded by its version; then the released addresses'
/// reservations are deleted, each only if it still belongs to the owner that held the address.
/// </summary>
public static class Releaser
{
    /// <summary>DEL: everything (container ID, interface) holds, in every range of the network.</summary>
    public static Plan Decide(DelRequest request, ImmutableArray<PoolSnapshot> pools) =>
        ReleaseWhere(pools, request.Scope, a => Ownership.ReleasedBy(a.Owner, request.ContainerId, request.IfName));

    /// <summary>GC: everything this node owns whose attachment the runtime no longer lists as valid.</summary>
    public static Plan Collect(GcRequest request, ImmutableArray<PoolSnapshot> pools) =>
        ReleaseWhere(pools, request.Scope, Collectable.By(request, pools));

    /// <summary>Compensation: take out exactly <paramref name="allocation"/>, if the pool still has it.</summary>
    public static Plan Unallocate(PoolSnapshot pool, Allocation allocation) =>
        ReleaseWhere(ImmutableArray.Create(pool), OverlapOff, a => a == allocation);

    static readonly NetworkScope OverlapOff = new(ImmutableArray<Ranges.RangeSpec>.Empty, "", false);

    static Plan ReleaseWhere(ImmutableArray<PoolSnapshot> pools, NetworkScope scope, Func<Allocation, bool> released)
    {
        var changes = pools.OrderBy(p => p.Key.Name, StringComparer.Ordinal).ToImmutableArray()
            .Map(p => (Pool: p, Gone: p.State.Allocations.Where(released).ToImmutableArray()))
            .Filter(c => !c.Gone.IsEmpty);
        var writes = changes.Map(c => new Step(
            new StoreOp.ReplacePool(c.Pool, c.Gone.Fold(c.Pool.State, (s, a) => s.Without(a.Offset))),
            ImmutableArray<Undo>.Empty));
        var addresses = changes.Bind(c => c.Gone.Map(a => (Address: c.Pool.Key.Range.AddressAt(a.Offset), a.Owner)));
        var reservations = scope.OverlappingRanges
            ? addresses.Map(x => new Step(new StoreOp.DeleteReservation(ReservationKey.For(x.Address, scope.NetworkName), x.Owner), ImmutableArray<Undo>.Empty))
            : ImmutableArray<Step>.Empty;
        return new Plan(writes.AddRange(reservations), new Outcome.Released(addresses.Map(x => x.Address)));
    }
}
