using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Stores;

/// <summary>How deleting an orphaned reservation ended.</summary>
public enum OrphanDeletion
{
    Deleted,
    /// <summary>A pool read again now holds its address for its owner (an ADD finished meanwhile): it stays.</summary>
    BackedAgain,
    /// <summary>Someone else holds it now (a new sandbox took it over): the delete, guarded by the owner seen, did nothing.</summary>
    TakenOver,
    AlreadyGone,
    /// <summary>Its name reads as no address (not one we or upstream write): nothing can say what it reserves, so it is kept.</summary>
    NotAnAddress,
}

/// <summary>
/// The writes of a reclaim, shared by the controller's sweep and `kubectl whereabouts release`: exactly the
/// allocations judged leaked, released through <see cref="ConflictRetry"/> with <see cref="ReclaimPlan"/>
/// (decided again on every fresh read, so an allocation a new sandbox took over is left alone), and an orphaned
/// reservation deleted only while it is still unbacked and still held by the owner that was seen.
/// </summary>
public sealed class Reclaimer(IPoolStore store, TimeProvider clock, Log log)
{
    /// <summary>The plan that landed and which of <paramref name="allocations"/> were still in the pool it freed them from.</summary>
    public async Task<Fin<(Plan Plan, ImmutableArray<Allocation> Freed)>> Release(
        PoolKey key, ImmutableArray<Allocation> allocations, ImmutableArray<ReservationEntry> reservations, CancellationToken ct)
    {
        var freed = ImmutableArray<Allocation>.Empty;
        Plan? landed = null;
        var loop = new ConflictRetry(store, RetryPolicy.Default, clock, Random.Shared.NextDouble, log);
        var outcome = await loop.Run([key], (pools, _) =>
        {
            freed = pools[0].State.Allocations.Where(allocations.Contains).ToImmutableArray();
            landed = ReclaimPlan.For(pools[0], allocations, reservations);
            return Fin<Plan>.Succ(landed);
        }, ct);
        return outcome.Map(_ => (landed!, freed));
    }

    /// <summary>The delete of an orphan: only while it holds exactly the owner seen. None when its name reads as no address.</summary>
    public static Option<StoreOp.DeleteReservation> OrphanDelete(ReservationEntry orphan) =>
        ReservationNames.Readings(orphan.Name) is [var first, ..]
            ? new StoreOp.DeleteReservation(first.Key with { Name = orphan.Name }, orphan.Owner) { ExactOwner = true }
            : Option<StoreOp.DeleteReservation>.None;

    /// <summary>
    /// Deletes <paramref name="orphan"/> unless one of <paramref name="fresh"/> (pools read again just now, by the
    /// caller: the ones that could back it, or all) backs it.
    /// </summary>
    public async Task<OrphanDeletion> DeleteOrphan(ReservationEntry orphan, ImmutableArray<PoolSnapshot> fresh, CancellationToken ct)
    {
        if (OrphanDelete(orphan).Case is not StoreOp.DeleteReservation delete) return OrphanDeletion.NotAnAddress;
        if (Orphans.Backed(fresh, orphan.Name)) return OrphanDeletion.BackedAgain;
        return await store.Apply(delete, ct) switch
        {
            ApplyResult.Applied => OrphanDeletion.Deleted,
            ApplyResult.Missing => OrphanDeletion.AlreadyGone,
            _ => OrphanDeletion.TakenOver,
        };
    }
}
