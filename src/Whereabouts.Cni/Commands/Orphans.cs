using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Cni.Commands;

/// <summary>
/// The shell side of <see cref="OrphanedReservations"/> for DEL and GC: list what the decision needs, then run
/// the decided deletes through the retry loop (which reloads the pools, so a pool write that backs a
/// reservation in the meantime keeps it).
/// </summary>
static class Orphans
{
    /// <summary>DEL, after the pools were released: the attachment's orphans, listed only where one can be.</summary>
    public static async Task<Fin<ImmutableArray<Address>>> AfterDel(Invocation inv, DelRequest request, ImmutableArray<Address> released, CancellationToken ct)
    {
        if (!OrphanedReservations.DelMayLeave(request, released)) return ImmutableArray<Address>.Empty;
        var listed = await Listed(() => inv.Store.ListReservations(Prefix(inv.Scope), ct));
        if (listed.Case is not ImmutableArray<ReservationEntry> reservations) return listed.Map(_ => ImmutableArray<Address>.Empty);
        return await Deleted(inv, (pools, _) => Fin<Plan>.Succ(OrphanedReservations.ForDel(request, pools, reservations)), ct);
    }

    /// <summary>
    /// GC, after the allocations were collected: orphans whose owner is not valid and that <paramref name="owned"/>
    /// lets this node release. The pools of the whole network name are listed only when there is a candidate.
    /// </summary>
    public static async Task<Fin<ImmutableArray<Address>>> AfterGc(Invocation inv, GcRequest request, Func<Owner, bool> owned, CancellationToken ct)
    {
        if (!inv.Scope.OverlappingRanges) return ImmutableArray<Address>.Empty;
        var listed = await Listed(() => inv.Store.ListReservations(Prefix(inv.Scope), ct));
        if (listed.Case is not ImmutableArray<ReservationEntry> reservations) return listed.Map(_ => ImmutableArray<Address>.Empty);
        var candidates = OrphanedReservations.GcCandidates(request, reservations, owned);
        if (candidates.IsEmpty) return ImmutableArray<Address>.Empty;
        var pooled = await Listed(() => inv.Store.ListPools(Prefix(inv.Scope), ct));
        if (pooled.Case is not ImmutableArray<PoolSnapshot> all) return pooled.Map(_ => ImmutableArray<Address>.Empty);
        return await Deleted(inv, (pools, _) => Fin<Plan>.Succ(OrphanedReservations.ForGc(candidates, pools.AddRange(all))), ct);
    }

    /// <summary>Reservations and pools of network "blue" are named "blue-…"; without a name, every one is listed.</summary>
    static string Prefix(NetworkScope scope) => scope.NetworkName.Length > 0 ? scope.NetworkName + "-" : "";

    static async Task<Fin<ImmutableArray<Address>>> Deleted(Invocation inv, ConflictRetry.Decision decide, CancellationToken ct) =>
        (await inv.Retry.Run(inv.Scope.PoolKeys, (pools, known) => decide(pools, known), ct))
            .Map(o => o is Outcome.Released r ? r.Addresses : ImmutableArray<Address>.Empty);

    static async Task<Fin<T>> Listed<T>(Func<Task<T>> list)
    {
        try
        {
            return await list();
        }
        catch (StoreUnavailableException e)
        {
            return e.Transient ? Errors.TryAgainLater(e.Message) : Errors.StoreUnavailable(e.Message);
        }
    }
}
