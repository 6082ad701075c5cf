using System.Collections.Immutable;
using CsCheck;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Engine;
using Xunit;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// Random runs of ADD, DEL, GC, requested addresses, crashes and races against the real loop
/// (<see cref="ConflictRetry"/>, <see cref="PlanExecutor"/>) over <see cref="Memory.InMemoryPoolStore"/>,
/// with the engine's invariants checked after every step and each ADD compared with a model of "lowest free".
/// Ranges are small and overlap on purpose (two network configurations may share a pool, or use overlapping
/// pools), so exhaustion, reservations and conflicts all happen. A race runs two ADDs at once on the thread pool.
/// The operations are in EngineProperties.Operations.cs, the model in .Model.cs, the checks in .Invariants.cs.
/// </summary>
public sealed partial class EngineProperties
{
    [Fact]
    public Task RandomRunsKeepEveryEngineInvariant() =>
        EngineGens.EngineRun.SampleAsync(async run =>
        {
            var world = new World(run);
            foreach (var op in run.Ops)
            {
                await Step(world, op);
                await CheckInvariants(world);
            }
        });

    static Task Step(World w, EngineOp op) => op switch
    {
        AddOp add => Add(w, add),
        DelOp del => Del(w, del),
        GcOp gc => Gc(w, gc),
        AddDelOp addDel => AddThenDel(w, addDel),
        RaceOp race => Race(w, race),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    // ---- the shell: the real loop -------------------------------------------------------------------------

    /// <summary>
    /// ADD through the real loop: decide, execute, and on a conflict learn or reload and decide again.
    /// <paramref name="learn"/>: the shell starts knowing no reservations (as the plugin does), else all of them.
    /// <paramref name="crashBefore"/>: the shell dies before that step of a plan (<see cref="CrashingStore"/>).
    /// Returns the outcome with the last plan decided, and what the shell knew when it decided it.
    /// </summary>
    static async Task<(Fin<Plan> Result, KnownReservations Known)> RunAdd(World w, AddRequest request, bool learn, int? crashBefore)
    {
        var preloaded = learn ? KnownReservations.None : await w.Store.AllReservations();
        IPoolStore store = crashBefore is { } step ? new CrashingStore(w.Store, step) : w.Store;
        var known = preloaded;
        var run = await RealShell.Decide(store, request.Scope.PoolKeys, (pools, learned) =>
        {
            known = RealShell.Knowing(learned, preloaded);
            var decided = Allocator.Decide(request, pools, known);
            decided.IfSucc(plan => AssertAddPlanShape(plan, request));
            return decided;
        }, seed: w.Fresh);
        Assert.True(run.Decisions <= 100, $"ADD for {request.Owner} did not settle in 100 attempts");
        return (run.Result.Map(_ => run.Plan!), known);
    }

    static void AssertAddPlanShape(Plan plan, AddRequest request)
    {
        var ops = plan.Ops.ToArray();
        var firstPoolWrite = Array.FindIndex(ops, o => o is StoreOp.CreatePool or StoreOp.ReplacePool);
        var lastReservation = Array.FindLastIndex(ops, o => o is StoreOp.CreateReservation);
        Assert.True(firstPoolWrite < 0 || lastReservation < firstPoolWrite, "reservations must be created before pools are written");
        Assert.DoesNotContain(ops, o => o is StoreOp.DeleteReservation);
        if (!request.Scope.OverlappingRanges) Assert.DoesNotContain(ops, o => o is StoreOp.CreateReservation);
        foreach (var step in plan.Steps)
        {
            if (step.Do is StoreOp.CreateReservation cr)
                Assert.Equal([new Undo.Write(new StoreOp.DeleteReservation(cr.Key, cr.Owner))], step.Undo.ToArray());
            else
                Assert.All(step.Undo, u => Assert.IsType<Undo.Unallocate>(u));
        }
        var poolNames = ops.OfType<StoreOp.CreatePool>().Select(p => p.Pool.Name).Concat(ops.OfType<StoreOp.ReplacePool>().Select(p => p.Pool.Name)).ToArray();
        Assert.Equal(poolNames.Distinct().Count(), poolNames.Length);
    }
}
