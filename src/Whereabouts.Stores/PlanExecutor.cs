using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores;

/// <summary>How running a plan ended.</summary>
public abstract record Execution
{
    Execution() { }
    public sealed record Completed : Execution;
    /// <summary>A pool moved or vanished since it was read: reload and decide again.</summary>
    public sealed record Stale : Execution;
    /// <summary>An address's reservation is already held: learn by whom and decide again.</summary>
    public sealed record ReservationHeld(ReservationKey Key) : Execution;
}

/// <summary>
/// Runs a plan's steps in order. When a step's guard fails, or the store fails part-way, the steps that did
/// run are compensated with their undo operations (newest first) before reporting, so no half-applied plan
/// is left behind; except when the failed step's outcome is unknown (<see cref="WriteOutcomeUnknownException"/>).
/// </summary>
public sealed class PlanExecutor(IPoolStore store, Func<StoreOp.ReleaseAllocation, CancellationToken, Task> unallocate, Log log)
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
                {
                    await Compensate(plan.UndoAfter(applied), ct);
                    return step.Do is StoreOp.CreateReservation c ? new Execution.ReservationHeld(c.Key) : new Execution.Stale();
                }
                applied++;
            }
            return new Execution.Completed();
        }
        catch (WriteOutcomeUnknownException e)
        {
            // The step may have committed: undoing the steps before it on a guess could delete the reservation
            // of an address the pool now holds. Left in place, they are at worst an orphan, which is reclaimed.
            log.Error($"{e.Message}; leaving the {applied} step(s) before it in place");
            throw;
        }
        catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
        {
            // Not the plan's token, which may be the deadline that just passed: a short grace of its own.
            using var grace = new CancellationTokenSource(UndoGrace);
            await Compensate(plan.UndoAfter(applied), grace.Token);
            throw;
        }
    }

    /// <summary>How long the undo after a failure may take (a hung store must not hold the plugin much past its deadline).</summary>
    static readonly TimeSpan UndoGrace = TimeSpan.FromSeconds(1);

    /// <summary>Best effort: a compensation that fails is logged; the runtime's DEL after a failed ADD finishes the job.</summary>
    async Task Compensate(ImmutableArray<StoreOp> undo, CancellationToken ct)
    {
        foreach (var op in undo)
        {
            try
            {
                if (op is StoreOp.ReleaseAllocation r) await unallocate(r, ct);
                else await store.Apply(op, ct);
                log.Debug($"undo {Describe(op)}");
            }
            catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
            {
                log.Error($"could not undo {Describe(op)}: {e.Message}");
            }
        }
    }

    static string Describe(StoreOp op) => op switch
    {
        StoreOp.CreatePool c => $"create pool {c.Pool}",
        StoreOp.ReplacePool r => $"replace pool {r.Pool} at version {r.IfVersion}",
        StoreOp.CreateReservation c => $"create reservation {c.Key}",
        StoreOp.DeleteReservation d => $"delete reservation {d.Key}",
        StoreOp.ReleaseAllocation r => $"release offset {r.Allocation.Offset} from pool {r.Pool}",
        _ => op.GetType().Name,
    };
}
