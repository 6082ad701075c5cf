using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// The plugin's shell minus the process: a decision run through the real <see cref="ConflictRetry"/> and
/// <see cref="PlanExecutor"/>. It keeps what the loop's last decision saw and planned, so a test can check the
/// plan that was written and what the loop had learned by then. Time is virtual, so backoff costs nothing.
/// </summary>
public static class RealShell
{
    /// <summary>How a run ended, the last plan decided (null if none was), and how many times the loop decided.</summary>
    public sealed record Run(Fin<Outcome> Result, Plan? Plan, KnownReservations Known, int Decisions);

    public delegate Fin<Plan> Decision(ImmutableArray<PoolSnapshot> pools, KnownReservations known);

    static readonly RetryPolicy Policy = RetryPolicy.Default with { Deadline = TimeSpan.FromHours(1) };

    public static async Task<Run> Decide(IPoolStore store, ImmutableArray<PoolKey> keys, Decision decide, int seed = 0)
    {
        var random = new Random(seed);
        var retry = new ConflictRetry(store, Policy, new VirtualClock(), () => random.NextDouble(), Log.Silent);
        Plan? last = null;
        var lastKnown = KnownReservations.None;
        var decisions = 0;
        var result = await retry.Run(keys, (pools, known) =>
        {
            decisions++;
            lastKnown = known;
            var decided = decide(pools, known);
            decided.IfSucc(p => last = p);
            return decided;
        }, default);
        return new Run(result, last, lastKnown, decisions);
    }

    /// <summary>
    /// ADD as a shell that starts out knowing <paramref name="preloaded"/> (say every reservation) and learns
    /// the rest from conflicts, as the loop does.
    /// </summary>
    public static Task<Run> Add(IPoolStore store, AddRequest request, KnownReservations preloaded, int seed = 0) =>
        Decide(store, request.Scope.PoolKeys, (pools, known) => Allocator.Decide(request, pools, Knowing(known, preloaded)), seed);

    /// <summary>What the loop learned, plus whatever it had not learned of <paramref name="preloaded"/> (the loop's window and draw kept).</summary>
    public static KnownReservations Knowing(KnownReservations learned, KnownReservations preloaded) =>
        learned.Plus(preloaded);
}
