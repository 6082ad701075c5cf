using System.Collections.Immutable;
using System.Globalization;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Tests.Engine;

/// <summary>
/// The smallest datastore that honours the plan contract: pool writes are compare-and-swap on a version,
/// a reservation is created once and deleted only by the pod interface (pod reference and interface name)
/// that owns it, whatever its container ID. Plans run step by step;
/// the first step that fails stops the plan and its undo runs, as the shell's executor does.
/// </summary>
public sealed class InMemoryStore
{
    readonly SortedDictionary<string, PoolSnapshot> pools = new(StringComparer.Ordinal);
    readonly SortedDictionary<string, (ReservationKey Key, Owner Owner)> reservations = new(StringComparer.Ordinal);
    long version;

    public IReadOnlyDictionary<string, PoolSnapshot> Pools => pools;

    public IReadOnlyDictionary<string, (ReservationKey Key, Owner Owner)> Reservations => reservations;

    /// <summary>Every operation applied so far, in order, undo included.</summary>
    public List<StoreOp> Log { get; } = [];

    public ImmutableArray<PoolSnapshot> Load(NetworkScope scope) =>
        scope.PoolKeys.Map(k => pools.TryGetValue(k.Name, out var p) ? p : PoolSnapshot.Missing(k));

    public PoolState StateOf(PoolKey key) => pools.TryGetValue(key.Name, out var p) ? p.State : PoolState.Empty(key.Range);

    public KnownReservations AllReservations() =>
        reservations.Values.Aggregate(KnownReservations.None, (k, r) => k.With(r.Key, r.Owner));

    /// <summary>Seeds a pool as if some earlier writer had stored it.</summary>
    public void Seed(PoolKey key, PoolState state) => pools[key.Name] = new PoolSnapshot(key, NextVersion(), state);

    public void SeedReservation(ReservationKey key, Owner owner) => reservations[key.Name] = (key, owner);

    Option<StoreVersion> NextVersion() => new StoreVersion((++version).ToString(CultureInfo.InvariantCulture));

    /// <summary>Applies one operation; false means a conflict (version moved, object exists or is gone).</summary>
    public bool Apply(StoreOp op)
    {
        Log.Add(op);
        switch (op)
        {
            case StoreOp.CreatePool c:
                if (pools.ContainsKey(c.Pool.Name)) return false;
                pools[c.Pool.Name] = new PoolSnapshot(c.Pool, NextVersion(), c.Initial);
                return true;
            case StoreOp.ReplacePool r:
                if (!pools.TryGetValue(r.Pool.Name, out var current) || current.Version != r.IfVersion) return false;
                pools[r.Pool.Name] = new PoolSnapshot(r.Pool, NextVersion(), r.Next);
                return true;
            case StoreOp.CreateReservation cr:
                if (reservations.ContainsKey(cr.Key.Name)) return false;
                reservations[cr.Key.Name] = (cr.Key, cr.Owner);
                return true;
            case StoreOp.DeleteReservation dr:
                if (reservations.TryGetValue(dr.Key.Name, out var held) && Ownership.MayDelete(dr, held.Owner))
                    reservations.Remove(dr.Key.Name);
                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "unknown store operation");
        }
    }

    /// <summary>
    /// Compensation as the shell runs it: a write as it stands, an allocation as a small plan of its own
    /// (Releaser.Unallocate) on the pool as it is now. Sequentially its guarded write cannot conflict.
    /// </summary>
    void Compensate(Undo undo)
    {
        if (undo is Undo.Write w) Apply(w.Op);
        else if (undo is Undo.Unallocate u && pools.TryGetValue(u.Pool.Name, out var pool))
            foreach (var step in Releaser.Unallocate(pool, u.Allocation).Steps.Where(s => s.Do is StoreOp.ReplacePool)) Apply(step.Do);
    }

    /// <summary>
    /// Runs the plan's steps in order. If one fails, or <paramref name="crashBefore"/> steps have run, the undo of
    /// the steps that ran is applied and the failing step (null for a crash) is returned.
    /// </summary>
    public ExecuteResult Execute(Plan plan, int? crashBefore = null)
    {
        var steps = plan.Steps.ToArray();
        for (var i = 0; i < steps.Length; i++)
        {
            if (crashBefore == i || !Apply(steps[i].Do))
            {
                foreach (var undo in plan.UndoAfter(i)) Compensate(undo);
                return new ExecuteResult(false, crashBefore == i ? null : steps[i].Do);
            }
        }
        return new ExecuteResult(true, null);
    }

    /// <summary>What the store holds, as comparable text: pools (non-empty) and reservations.</summary>
    public string Describe(bool withContainers = true) =>
        string.Join("\n", pools.Values.Where(p => !p.State.Allocations.IsEmpty).Select(p =>
                $"{p.Key.Name}: " + string.Join(",", p.State.Allocations.Select(a =>
                    $"{a.Offset}={(withContainers ? a.Owner.ContainerId + "/" : "")}{a.Owner.PodRef}/{a.Owner.IfName}")))
            .Concat(reservations.Values.Select(r => $"reservation {r.Key.Name}={r.Owner.PodRef}/{r.Owner.IfName}")));
}

public sealed record ExecuteResult(bool Applied, StoreOp? FailedAt);
