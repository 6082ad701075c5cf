using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.ClassInstances;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Engine;

/// <summary>
/// ADD's working state while it walks the ranges: pool states as changed so far, leases in range order, the
/// new allocations per pool (for compensation) and the reservations to create.
/// </summary>
sealed record Draft(
    Map<OrdString, string, PoolSnapshot> Loaded,
    string NetworkName,
    Map<OrdString, string, (PoolKey Key, PoolState State)> Changed,
    ImmutableArray<Lease> Leases,
    Map<OrdString, string, ImmutableArray<Allocation>> Taken,
    ImmutableArray<ReservationWrite> Reservations)
{
    public static Draft Start(ImmutableArray<PoolSnapshot> pools, string networkName) =>
        new(pools.Fold(Map<OrdString, string, PoolSnapshot>.Empty, (m, p) => m.AddOrUpdate(p.Key.Name, p)), networkName,
            Map<OrdString, string, (PoolKey, PoolState)>.Empty, ImmutableArray<Lease>.Empty, Map<OrdString, string, ImmutableArray<Allocation>>.Empty, ImmutableArray<ReservationWrite>.Empty);

    public PoolKey KeyFor(RangeSpec range) => PoolKey.Of(range, NetworkName);

    PoolSnapshot SnapshotOf(PoolKey key) => Loaded.Find(key.Name).IfNone(() => PoolSnapshot.Missing(key));

    public PoolState StateOf(PoolKey key) => Changed.Find(key.Name).Map(c => c.State).IfNone(() => SnapshotOf(key).State);

    /// <summary>The owner already holds <paramref name="held"/>: report it, recording a new container ID if any.</summary>
    public Draft Keep(PoolKey key, RangeSpec range, Allocation held, Owner owner, Option<ReservationWrite> reservation) =>
        (held.Owner == owner ? this : this with { Changed = Changed.AddOrUpdate(key.Name, (key, StateOf(key).With(held with { Owner = owner }))) })
        with { Leases = Leases.Add(new Lease(range.Network.AddressAt(held.Offset), range.Configured)), Reservations = Reservations.Concat(reservation) };

    public Draft Take(PoolKey key, RangeSpec range, Allocation allocation, Option<ReservationWrite> reservation) => this with
    {
        Changed = Changed.AddOrUpdate(key.Name, (key, StateOf(key).With(allocation))),
        Leases = Leases.Add(new Lease(range.Network.AddressAt(allocation.Offset), range.Configured)),
        Taken = Taken.AddOrUpdate(key.Name, Taken.Find(key.Name).IfNone(ImmutableArray<Allocation>.Empty).Add(allocation)),
        Reservations = Reservations.Concat(reservation),
    };

    public Plan ToPlan(Owner owner)
    {
        // Taking over an orphan deletes it (only while it names that exact owner; gone already is fine) and
        // creates it for us: a conflict on the create means someone else got the address in between.
        var reservations = Reservations.SelectMany(r => r.TakeOverFrom.Map(from => new Step(
                new StoreOp.DeleteReservation(r.Key, from) { ExactOwner = true }, ImmutableArray<Undo>.Empty)).AsEnumerable()
            .Append(new Step(
                new StoreOp.CreateReservation(r.Key, owner),
                ImmutableArray.Create<Undo>(new Undo.Write(new StoreOp.DeleteReservation(r.Key, owner)))))).ToImmutableArray();
        var pools = Changed.Values.Map(c => PoolWrite(SnapshotOf(c.Key), c.State)).ToImmutableArray();
        return new Plan(reservations.AddRange(pools), new Outcome.Allocated(Leases));
    }

    Step PoolWrite(PoolSnapshot snapshot, PoolState next)
    {
        var undo = Taken.Find(snapshot.Key.Name).IfNone(ImmutableArray<Allocation>.Empty)
            .Map(a => (Undo)new Undo.Unallocate(snapshot.Key, a));
        StoreOp write = snapshot.Version.Match<StoreOp>(
            _ => new StoreOp.ReplacePool(snapshot, next),
            () => new StoreOp.CreatePool(snapshot.Key, next));
        return new Step(write, undo);
    }

}

/// <summary>A reservation ADD must write: create it, after deleting the orphan of <paramref name="TakeOverFrom"/>'s if set.</summary>
sealed record ReservationWrite(ReservationKey Key, Option<Owner> TakeOverFrom);
