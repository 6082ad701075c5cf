using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Engine;

/// <summary>
/// ADD as a pure decision over loaded pools:
///   lease(range) = held(owner) ?? requested ∩ range ?? lowest free offset in allocatable(range)
/// (after lost races, one of the lowest known.Window free offsets, at known.Draw)
/// skipping addresses whose overlapping-range reservation belongs to another pod. The plan creates the new
/// reservations first, then writes each changed pool once, guarded by the version it was read at.
/// A reservation of the same pod interface for an address the pool does not hold is an orphan of an earlier
/// ADD that died before its pool write: the address is taken, and the reservation taken over (see Draft.ToPlan).
/// </summary>
public static class Allocator
{
    public static Fin<Plan> Decide(AddRequest request, ImmutableArray<PoolSnapshot> pools, KnownReservations known) =>
        from allocatables in request.Scope.Ranges.TraverseAll(Allocatable.Of)
        from draft in request.Scope.Ranges.Zip(allocatables).Fold(
            Fin<Draft>.Succ(Draft.Start(pools, request.Scope.NetworkName)),
            (acc, r) => acc.Bind(d => LeaseOne(request, known, d, r.Item1, r.Item2)))
        from _ in UnplacedRequests(request)
        select draft.ToPlan(request.Owner);

    static Fin<Draft> LeaseOne(AddRequest req, KnownReservations known, Draft draft, RangeSpec range, IntervalSet allocatable)
    {
        var key = draft.KeyFor(range);
        var pool = draft.StateOf(key);
        var held = pool.HeldBy(req.Owner);
        // Already held: keep it, and re-create its reservation if a half-finished earlier ADD lost it (a
        // reservation that exists comes back as a conflict, is read, and is then known to be ours).
        if (held is not null)
            return draft.Keep(key, range, held, req.Owner,
                NeedsReservation(req, known, ReservationKey.For(range.Network.AddressAt(held.Offset), req.Scope.NetworkName)));
        var requested = req.Requested.Find(a => range.Network.Contains(a));
        return requested.Match(
            a => TakeRequested(req, known, draft, key, range, allocatable, a),
            () => ReservedForMe(req, known, draft, key, range, allocatable) is { } mine
                ? draft.Take(key, range, new Allocation(mine, req.Owner), Option<ReservationWrite>.None)
                : TakeLowest(req, known, draft, key, range, allocatable));
    }

    /// <summary>
    /// A free allocatable address whose reservation is known to be held by exactly this owner: an earlier
    /// attempt of this very request reserved it and lost the race for the pool. Taking it again needs no new
    /// reservation and leaves none behind.
    /// </summary>
    static UInt128? ReservedForMe(AddRequest req, KnownReservations known, Draft draft, PoolKey key, RangeSpec range, IntervalSet allocatable)
    {
        if (!req.Scope.OverlappingRanges) return null;
        var pool = draft.StateOf(key);
        foreach (var (name, owner) in known.Owners)
        {
            if (owner != req.Owner) continue;
            if (ReservationKey.Parse(name, req.Scope.NetworkName).Case is not ReservationKey mine) continue;
            if (range.Network.OffsetOf(mine.Address).Case is UInt128 offset && allocatable.Contains(offset) && pool.At(offset) is null)
                return offset;
        }
        return null;
    }

    static Fin<Draft> TakeRequested(AddRequest req, KnownReservations known, Draft draft, PoolKey key, RangeSpec range, IntervalSet allocatable, Address a)
    {
        var offset = range.Network.OffsetOf(a).IfNone(UInt128.Zero);
        if (!allocatable.Contains(offset)) return Errors.RequestedOutsideRanges(a.ToString());
        var holder = draft.StateOf(key).At(offset);
        if (holder is not null) return Errors.AddressTaken(a.ToString(), holder.Owner.ToString());
        var reservation = ReservationKey.For(a, req.Scope.NetworkName);
        if (req.Scope.OverlappingRanges && known.IsHeldByOther(reservation, req.Owner))
            return Errors.AddressTaken(a.ToString(), known.OwnerOf(reservation).Map(o => o.ToString()).IfNone("another pod"));
        return draft.Take(key, range, new Allocation(offset, req.Owner), ReservationFor(req, known, reservation));
    }

    static Fin<Draft> TakeLowest(AddRequest req, KnownReservations known, Draft draft, PoolKey key, RangeSpec range, IntervalSet allocatable)
    {
        var used = draft.StateOf(key).Used;
        var candidates = new List<(UInt128 Offset, ReservationKey Reservation)>(known.Window);
        for (var from = UInt128.Zero; candidates.Count < known.Window && used.FirstFreeAtOrAfter(from, allocatable) is { } offset; from = offset + 1)
        {
            var reservation = ReservationKey.For(range.Network.AddressAt(offset), req.Scope.NetworkName);
            if (req.Scope.OverlappingRanges && known.Avoids(reservation, req.Owner)) continue;
            candidates.Add((offset, reservation));
            if (offset == UInt128.MaxValue) break;
        }
        if (candidates.Count == 0) return Errors.RangeExhausted(range.ToString(), AddressesOf(range.Network, allocatable));
        var (chosen, key2) = candidates[Math.Min((int)(known.Draw * candidates.Count), candidates.Count - 1)];
        return draft.Take(key, range, new Allocation(chosen, req.Owner), ReservationFor(req, known, key2));
    }

    /// <summary>The allocatable set as addresses ("10.0.0.1-10.0.0.6,10.0.0.9"), not offsets, for messages.</summary>
    static string AddressesOf(Cidr network, IntervalSet set) =>
        set.IsEmpty ? "none" : string.Join(",", set.Intervals.Select(iv =>
            iv.Lo == iv.Hi ? $"{network.AddressAt(iv.Lo)}" : $"{network.AddressAt(iv.Lo)}-{network.AddressAt(iv.Hi)}"));

    /// <summary>For an address the owner already holds: create its reservation unless one is known to be ours.</summary>
    static Option<ReservationWrite> NeedsReservation(AddRequest req, KnownReservations known, ReservationKey key) =>
        req.Scope.OverlappingRanges && known.OwnerOf(key).IsNone ? new ReservationWrite(key, Option<Owner>.None) : Option<ReservationWrite>.None;

    /// <summary>
    /// For an address newly taken: create its reservation; or, when the reservation is already the same pod
    /// interface's (an orphan), keep it if it names exactly this owner, else take it over from the sandbox it
    /// names, so that sandbox's DEL, which deletes only its exact owner's orphans, leaves it alone.
    /// </summary>
    static Option<ReservationWrite> ReservationFor(AddRequest req, KnownReservations known, ReservationKey key) =>
        !req.Scope.OverlappingRanges ? Option<ReservationWrite>.None
        : known.OwnerOf(key).Match(
            stored => stored == req.Owner ? Option<ReservationWrite>.None : new ReservationWrite(key, stored),
            () => new ReservationWrite(key, Option<Owner>.None));

    /// <summary>A requested address must fall inside one of the ranges.</summary>
    static Fin<Unit> UnplacedRequests(AddRequest req) =>
        req.Requested.Find(a => !req.Scope.Ranges.Exists(r => r.Network.Contains(a))).Match(
            a => Errors.RequestedOutsideRanges(a.ToString()),
            () => Fin<Unit>.Succ(Unit.Default));
}
