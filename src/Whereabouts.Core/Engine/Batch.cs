using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// Group commit's decision: requests for one pool decided in arrival order against one snapshot, each on the
/// pool as the requests before it left it:
/// <code>
///   view₀ = read        plan_k = decide_k(view_{k-1})        view_k = view_{k-1} after plan_k's pool write
/// </code>
/// Writing view_k once, guarded by read's version, commits requests 1..k together (<see cref="Commit"/>).
/// Only a prefix can be committed: request k decided on a view holding what 1..k-1 took, so when one of
/// them drops out (its reservation was taken), every later one decides again.
/// </summary>
public static class Batch
{
    /// <summary>One request's decision over the pool it is about (the only pool of a batched request).</summary>
    public delegate Fin<Plan> Decision(PoolSnapshot pool);

    public static ImmutableArray<Member> Decide(PoolSnapshot read, IEnumerable<Decision> decisions)
    {
        var members = ImmutableArray.CreateBuilder<Member>();
        var view = read;
        foreach (var decide in decisions)
        {
            var plan = decide(view);
            var member = new Member(plan, plan.Case is Plan p ? StateAfter(p, view) : view.State);
            members.Add(member);
            view = view with { State = member.After };
        }
        return members.ToImmutable();
    }

    /// <summary>
    /// The one write that commits the first <paramref name="count"/> members: the last one's view, guarded by
    /// the version read (a create when the pool did not exist); none when none of them changes the pool.
    /// </summary>
    public static Option<StoreOp> Commit(PoolSnapshot read, ImmutableArray<Member> members, int count)
    {
        if (!members.Take(count).Any(m => m.WritesPool)) return Option<StoreOp>.None;
        var after = members[count - 1].After;
        return read.Exists ? new StoreOp.ReplacePool(read, after) : new StoreOp.CreatePool(read.Key, after);
    }

    /// <summary>The pool as <paramref name="plan"/> leaves it: what its write of this pool puts there.</summary>
    static PoolState StateAfter(Plan plan, PoolSnapshot view) =>
        plan.Steps.Select(s => s.Do).Aggregate(view.State, (state, op) => op switch
        {
            StoreOp.ReplacePool r when r.Pool.Name == view.Key.Name => r.Next,
            StoreOp.CreatePool c when c.Pool.Name == view.Key.Name => c.Initial,
            _ => state,
        });
}

/// <summary>
/// One request of a batch: its plan, decided on the view the requests before it left, and the pool as it
/// leaves it. The plan's steps split around its pool write: <see cref="Before"/> (ADD's reservations) run
/// before the batch's one write, <see cref="After"/> (a release's reservation deletes) once it has landed.
/// </summary>
public sealed record Member(Fin<Plan> Plan, PoolState After)
{
    ImmutableArray<Step> Steps => Plan.Case is Plan p ? p.Steps : ImmutableArray<Step>.Empty;

    static bool IsPoolWrite(Step s) => s.Do is StoreOp.ReplacePool or StoreOp.CreatePool;

    public bool WritesPool => Steps.Any(IsPoolWrite);

    public ImmutableArray<Step> Before => Steps.TakeWhile(s => !IsPoolWrite(s)).ToImmutableArray();

    public ImmutableArray<Step> AfterWrite => Steps.SkipWhile(s => !IsPoolWrite(s)).Where(s => !IsPoolWrite(s)).ToImmutableArray();

    /// <summary>What takes back this member's part of the pool write (the exact allocations it took).</summary>
    public ImmutableArray<Undo> PoolUndo => Steps.Where(IsPoolWrite).SelectMany(s => s.Undo).ToImmutableArray();

    /// <summary>The undo of its <see cref="Before"/> steps of which the first <paramref name="applied"/> ran, newest first.</summary>
    public ImmutableArray<Undo> UndoBefore(int applied) => Before.Take(applied).Reverse().SelectMany(s => s.Undo).ToImmutableArray();
}
