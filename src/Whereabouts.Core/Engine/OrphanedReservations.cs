using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// Reservations no pool backs. ADD creates an address's reservation before it writes the pool, so an ADD
/// killed in between leaves a reservation whose address no pool holds: an orphan (docs/architecture.md,
/// "Crash points"). Its owner's DEL deletes it, a repeated ADD of the same pod interface takes it over
/// (Allocator), and GC deletes it once its owner is no longer a valid attachment. Finding one needs a listing
/// of reservations, which the shell makes only where an orphan can be (see <see cref="DelMayLeave"/>).
/// </summary>
public static class OrphanedReservations
{
    /// <summary>
    /// Whether, after DEL released <paramref name="released"/>, the attachment may still own an orphan: some
    /// range of the network held nothing for it (an ADD that died before its pool write, or a repeated DEL).
    /// When every range held an address, its ADD got past all its pool writes and left no orphan behind.
    /// </summary>
    public static bool DelMayLeave(DelRequest request, ImmutableArray<Address> released) =>
        request.Scope.OverlappingRanges && request.Scope.Ranges.Exists(r => !released.Exists(a => r.Configured.Contains(a)));

    /// <summary>
    /// DEL: the reservations of this network that (container ID, interface) holds and no pool backs. Each is
    /// deleted only while it holds exactly that owner, so one a new sandbox of the pod took over stays.
    /// </summary>
    public static Plan ForDel(DelRequest request, ImmutableArray<PoolSnapshot> pools, ImmutableArray<ReservationEntry> reservations) =>
        Deleting(InScope(request.Scope, reservations)
            .Filter(r => Ownership.ReleasedBy(r.Owner, request.ContainerId, request.IfName) && !Backed(pools, r.Key.Address)));

    /// <summary>
    /// GC, first cut: the reservations of this network whose owner is not a valid attachment and is one this
    /// node may release (<paramref name="owned"/>). Only these need the pools listed (<see cref="ForGc"/>).
    /// </summary>
    public static ImmutableArray<(ReservationKey Key, Owner Owner)> GcCandidates(GcRequest request, ImmutableArray<ReservationEntry> reservations, Func<Owner, bool> owned) =>
        InScope(request.Scope, reservations)
            .Filter(r => !request.Valid.Exists(v => Ownership.ReleasedBy(r.Owner, v.ContainerId, v.IfName)) && owned(r.Owner));

    /// <summary>
    /// GC: the candidates that no pool backs. <paramref name="pools"/> must be every pool of the network name
    /// (all configurations that share these reservations), not just this configuration's: a reservation held
    /// by a pod of another configuration is backed by that configuration's pool, and its owner is never in this
    /// configuration's valid attachments.
    /// </summary>
    public static Plan ForGc(ImmutableArray<(ReservationKey Key, Owner Owner)> candidates, ImmutableArray<PoolSnapshot> pools) =>
        Deleting(candidates.Filter(r => !Backed(pools, r.Key.Address)));

    /// <summary>The reservations named as this network's, for an address inside one of its ranges.</summary>
    static ImmutableArray<(ReservationKey Key, Owner Owner)> InScope(NetworkScope scope, ImmutableArray<ReservationEntry> reservations) =>
        scope.OverlappingRanges
            ? reservations.Choose(e => ReservationKey.Parse(e.Name, scope.NetworkName).Map(k => (Key: k, e.Owner)))
                .Filter(r => scope.Ranges.Exists(range => range.Configured.Contains(r.Key.Address)))
                .ToImmutableArray()
            : ImmutableArray<(ReservationKey, Owner)>.Empty;

    /// <summary>Some pool holds the address (whoever holds it: only an unheld address is an orphan's).</summary>
    static bool Backed(ImmutableArray<PoolSnapshot> pools, Address address) =>
        pools.Exists(p => p.Exists && p.State.Range.OffsetOf(address).Exists(o => p.State.At(o) is not null));

    static Plan Deleting(ImmutableArray<(ReservationKey Key, Owner Owner)> orphans) =>
        new(orphans.Map(r => new Step(new StoreOp.DeleteReservation(r.Key, r.Owner) { ExactOwner = true }, ImmutableArray<Undo>.Empty)),
            new Outcome.Released(orphans.Map(r => r.Key.Address)));
}
