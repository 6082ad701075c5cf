using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores;

/// <summary>How running a plan ended, and what of it remains to be taken back (newest first).</summary>
public abstract record Execution
{
    Execution() { }

    /// <summary>The undo of the steps that ran, for the caller to apply; empty when nothing must be taken back.</summary>
    public ImmutableArray<Undo> Compensation { get; init; } = ImmutableArray<Undo>.Empty;

    /// <summary>
    /// After a step whose outcome is unknown: its own undo, then the undo of the steps before it, to be applied
    /// strictly in order, each only once the one before it is done (<see cref="PlanExecutor"/>). Empty when
    /// the unknown step has no undo.
    /// </summary>
    public ImmutableArray<Undo> Settlement { get; init; } = ImmutableArray<Undo>.Empty;

    public sealed record Completed : Execution;
    /// <summary>A pool moved or vanished since it was read: reload and decide again.</summary>
    public sealed record Stale : Execution;
    /// <summary>An address's reservation is already held: learn by whom and decide again.</summary>
    public sealed record ReservationHeld(ReservationKey Key) : Execution;
    /// <summary>The store failed part-way (or the token ended the run): <paramref name="Cause"/> is to be rethrown once compensated.</summary>
    public sealed record Failed(Exception Cause) : Execution;
}

/// <summary>
/// Runs a plan's steps in order and says how it ended. When a step's guard fails, or the store fails part-way,
/// the undo of the steps that did run is reported as data; the caller compensates. Except when the failed
/// step's outcome is unknown (<see cref="WriteOutcomeUnknownException"/>): then nothing is undone on a
/// guess. Its own undo is correct whether it committed or not (a delete guarded by its owner, an exact
/// allocation taken out if the pool has it), so it is reported as the first of a <see cref="Execution.Settlement"/>:
/// once it is done, the steps before it back nothing any more and their undo follows. Left in place instead,
/// the reservation of a pool write that did not land is an orphan of a live pod: the retry may well pick
/// another address.
/// </summary>
public sealed class PlanExecutor(IPoolStore store, Log log)
{
    public async Task<Execution> Run(Plan plan, CancellationToken ct)
    {
        var applied = 0;
        try
        {
            foreach (var step in plan.Steps)
            {
                var result = await store.Apply(step.Do, ct);
                log.Debug($"{Describe(step.Do)} → {result}");
                if (result != ApplyResult.Applied && step.Do is not StoreOp.DeleteReservation)
                    return (step.Do is StoreOp.CreateReservation c ? new Execution.ReservationHeld(c.Key) : (Execution)new Execution.Stale())
                        with { Compensation = plan.UndoAfter(applied) };
                applied++;
            }
            return new Execution.Completed();
        }
        catch (WriteOutcomeUnknownException e)
        {
            // The step may have committed: undoing the steps before it on a guess could delete the reservation
            // of an address the pool now holds. Its own undo is right either way, so it goes first, and the
            // steps before it are undone only once it is done (the settlement); without one they stay in place.
            var unknown = plan.Steps[applied].Undo;
            log.Error(unknown.IsEmpty
                ? $"{e.Message}; leaving the {applied} step(s) before it in place"
                : $"{e.Message}; undoing it, then the {applied} step(s) before it once that is done");
            return new Execution.Failed(e)
            {
                Compensation = OnlyDeletesLeft(plan, applied) ? Unfinished(plan, applied) : ImmutableArray<Undo>.Empty,
                Settlement = unknown.IsEmpty ? ImmutableArray<Undo>.Empty : unknown.AddRange(plan.UndoAfter(applied)),
            };
        }
        catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
        {
            return new Execution.Failed(e) { Compensation = OnlyDeletesLeft(plan, applied) ? Unfinished(plan, applied) : plan.UndoAfter(applied) };
        }
    }

    /// <summary>
    /// A plan that failed in its reservation deletes (DEL, GC, after their pool writes ran) is finished, not
    /// undone: each delete is guarded by its owner, so repeating it is safe, and dropping it would leave the
    /// released address's reservation behind as an orphan. Only once an earlier step ran: a plan that failed at
    /// its first step changed nothing, and the loop retries it whole (finishing it here would recurse through
    /// the loop's own compensation while the store is down).
    /// </summary>
    static bool OnlyDeletesLeft(Plan plan, int applied) =>
        applied > 0 && applied < plan.Steps.Length && plan.Steps.Skip(applied).All(s => s.Do is StoreOp.DeleteReservation);

    static ImmutableArray<Undo> Unfinished(Plan plan, int applied) =>
        plan.Steps.Skip(applied).Select(s => (Undo)new Undo.Write(s.Do)).ToImmutableArray();

    public static string Describe(StoreOp op) => op switch
    {
        StoreOp.CreatePool c => $"create pool {c.Pool}",
        StoreOp.ReplacePool r => $"replace pool {r.Pool} at version {r.IfVersion}",
        StoreOp.CreateReservation c => $"create reservation {c.Key}",
        StoreOp.DeleteReservation d => $"delete reservation {d.Key}",
        _ => op.GetType().Name,
    };

    public static string Describe(Undo undo) => undo switch
    {
        Undo.Write w => Describe(w.Op),
        Undo.Unallocate u => $"release offset {u.Allocation.Offset} from pool {u.Pool}",
        _ => undo.GetType().Name,
    };
}
