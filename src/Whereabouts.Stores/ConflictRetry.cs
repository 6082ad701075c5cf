using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using LanguageExt;
using LanguageExt.Common;
using Errors = Whereabouts.Core.Errors;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores;

/// <summary>
/// The only loop in the shell: load the pools, decide, run the plan; when a guard fails, learn what changed,
/// back off with jitter and go again, until the deadline. Transient store failures are retried the same way;
/// when time runs out the answer is CNI error 11 (try again later). A plan that stopped part-way is taken back
/// here (<see cref="Compensate"/>), through this same loop, so a compensation step that fails transiently is retried too.
/// <para>
/// The deadline is a token (<see cref="RetryDeadline"/>) that every store call gets, so a request that hangs
/// ends at the deadline too. The plugin passes its invocation's deadline (it also bounds the node-slice
/// lookup); without one, each <see cref="Run"/> starts its own of <see cref="RetryPolicy.Deadline"/>.
/// Clock and jitter are inputs: the composition root passes the system's, tests a fake clock.
/// </para>
/// </summary>
public sealed class ConflictRetry(IPoolStore store, RetryPolicy policy, TimeProvider clock, Func<double> jitter, Log log,
    RetryDeadline? deadline = null) : IDecisionRunner
{

    public delegate Fin<Plan> Decision(ImmutableArray<PoolSnapshot> pools, KnownReservations known);

    public async Task<Fin<Outcome>> Run(ImmutableArray<PoolKey> keys, Decision decide, CancellationToken ct)
    {
        if (deadline is not null) return await Loop(keys, decide, deadline, ct);
        using var own = new RetryDeadline(policy.Deadline, clock, ct);
        own.Arm();
        return await Loop(keys, decide, own, ct);
    }

    async Task<Fin<Outcome>> Loop(ImmutableArray<PoolKey> keys, Decision decide, RetryDeadline limit, CancellationToken outer)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(outer, limit.Token);
        var ct = linked.Token;
        var known = KnownReservations.None;
        var cause = "";
        var races = 0;
        var asked = TimeSpan.Zero;
        // The pools as read when a reservation create last found its address held (see LostRace).
        ImmutableArray<PoolSnapshot>? heldAfter = null;
        // Reservation deletes an unfinished release owes the next attempt (Plan.OwedDeletes).
        var owed = ImmutableArray<Step>.Empty;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var pools = (await Armed(limit, Task.WhenAll(keys.Map(k => store.LoadPool(k, ct))))).ToImmutableArray();
                if (heldAfter is { } before && LostRace(before, pools)) known = known.AfterLostRace(++races, jitter());
                heldAfter = null;
                var decided = decide(pools, known);
                if (decided.Case is not Plan decidedPlan) return decided.Map(p => p.Outcome);
                var plan = decidedPlan.Then(owed);
                owed = plan.OwedDeletes;
                var run = await Armed(limit, new PlanExecutor(store, log).Run(plan, ct));
                if (!run.Compensation.IsEmpty) await Compensate(run.Compensation, limit, outer);
                if (!run.Settlement.IsEmpty) await Compensate(run.Settlement, limit, outer, stopAtFailure: true);
                if (run is Execution.Completed) return plan.Outcome;
                if (run is Execution.Failed failed) ExceptionDispatchInfo.Throw(failed.Cause);
                if (run is Execution.ReservationHeld held)
                {
                    var owner = await store.LoadReservation(held.Key, ct);
                    owner.IfSome(o => known = known.With(held.Key, o));
                    cause = $"reservation {held.Key} is held";
                    heldAfter = pools;
                    if (owner.IsSome) continue;
                }
                else
                {
                    cause = "a pool changed while we wrote it";
                    known = known.AfterLostRace(++races, jitter());
                }
            }
            catch (StoreUnavailableException e) when (e.Transient)
            {
                cause = e.Message;
                asked = e.RetryAfter;
            }
            catch (StoreUnavailableException e)
            {
                return Errors.OfCode(e.Code, e.Message);
            }
            catch (OperationCanceledException) when (limit.Passed)
            {
                return GaveUp(limit, attempt + 1, cause.Length > 0 ? cause : "the store had not answered yet");
            }
            var delay = policy.Delay(attempt, jitter());
            if (delay < asked) delay = asked;
            asked = TimeSpan.Zero;
            if (limit.Elapsed + delay > limit.Limit) return GaveUp(limit, attempt + 1, cause);
            log.Verbose($"attempt {attempt + 1}: {cause}; retrying in {delay.TotalMilliseconds:0}ms");
            try
            {
                await Task.Delay(delay, clock, ct);
            }
            catch (OperationCanceledException) when (limit.Passed)
            {
                return GaveUp(limit, attempt + 1, cause);
            }
        }
    }

    /// <summary>A store call that did not finish at once may wait (network, contended lock): the deadline must be able to end it.</summary>
    static Task<T> Armed<T>(RetryDeadline limit, Task<T> call)
    {
        if (!call.IsCompleted) limit.Arm();
        return call;
    }

    /// <summary>CNI error 11 after <paramref name="attempts"/> attempts, naming the deadline and the last cause.</summary>
    public static Error GaveUp(RetryDeadline limit, int attempts, string cause) =>
        Errors.TryAgainLater($"gave up after {attempts} attempt{(attempts == 1 ? "" : "s")} in {limit.Elapsed.TotalSeconds:0.0}s " +
            $"(retry deadline {limit.Shown}, WHEREABOUTS_RETRY_DEADLINE_MS); last cause: {cause}");

    /// <summary>
    /// A held reservation is a lost race only when a pool moved since it was read: another ADD got there
    /// between our read and our write. Otherwise the address was simply taken before we read (by a pod of
    /// another network sharing the reservations, or an orphan): it is learned, and the pick stays the lowest.
    /// </summary>
    public static bool LostRace(ImmutableArray<PoolSnapshot> before, ImmutableArray<PoolSnapshot> now) =>
        !before.Map(p => p.Version).SequenceEqual(now.Map(p => p.Version));

    /// <summary>How long the undo after a failure may run past the deadline (a hung store must not hold the plugin much longer).</summary>
    public static readonly TimeSpan UndoGrace = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Takes back what a plan that stopped part-way did, newest first, until the deadline plus <see cref="UndoGrace"/>:
    /// a write as it stands, an allocation as a small decision of its own on the pool as it is now. Best effort:
    /// what cannot be undone is logged; the runtime's DEL after a failed ADD finishes the job. A settlement
    /// (<see cref="Execution.Settlement"/>) stops at the first undo that cannot be done: the steps before it may
    /// back what it failed to take back.
    /// </summary>
    public async Task Compensate(ImmutableArray<Undo> undo, RetryDeadline limit, CancellationToken outer, bool stopAtFailure = false)
    {
        var left = limit.Limit - limit.Elapsed;
        using var within = new RetryDeadline((left > TimeSpan.Zero ? left : TimeSpan.Zero) + UndoGrace, clock, outer);
        foreach (var step in undo)
        {
            try
            {
                var result = await Loop(KeysOf(step), Decide(step), within, outer);
                result.Match(_ => log.Debug($"undo {PlanExecutor.Describe(step)}"), e => log.Error($"could not undo {PlanExecutor.Describe(step)}: {e.Message}"));
                if (result.IsFail && stopAtFailure) return;
            }
            catch (OperationCanceledException e)
            {
                log.Error($"could not undo {PlanExecutor.Describe(step)}: {e.Message}");
                if (stopAtFailure) return;
            }
        }
    }

    static ImmutableArray<PoolKey> KeysOf(Undo undo) =>
        undo is Undo.Unallocate u ? ImmutableArray.Create(u.Pool) : ImmutableArray<PoolKey>.Empty;

    static Decision Decide(Undo undo) => undo switch
    {
        Undo.Unallocate u => (pools, _) => Releaser.Unallocate(pools[0], u.Allocation),
        Undo.Write w => (_, _) => new Plan(ImmutableArray.Create(new Step(w.Op, ImmutableArray<Undo>.Empty)), Nothing),
        _ => throw new ArgumentOutOfRangeException(nameof(undo), undo, "unknown undo"),
    };

    static readonly Outcome Nothing = new Outcome.Released(ImmutableArray<Core.Addresses.Address>.Empty);
}
