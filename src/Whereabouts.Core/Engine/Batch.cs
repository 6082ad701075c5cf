using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// Group commit's decision: requests for one pool decided in arrival order against one snapshot, each on the
/// pool as the requests before it left it:
/// <code>
///   view₀ = read        plan_k = decide_k(view_{k-1})        view_k = view_{k-1} after plan_k's pool write
///   change_k = view_k − view_{k-1}                           write = read + Σ change_k over the kept k
/// </code>
/// One write, guarded by read's version, commits the kept requests together (<see cref="Commit"/>). A request
/// that drops out (its reservation was taken) takes with it the later ones that touched an address it touched
/// (<see cref="GoingAgain"/>): they decided on a view in which that address was its. The others' changes are
/// on addresses of their own, so they stand without it.
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
            var after = plan.Case is Plan p ? StateAfter(p, view) : view.State;
            var change = PoolChange.Between(view.State, after);
            members.Add(new Member(plan, after, change, Touched(plan, change, view.State, read.Key.Range)));
            view = view with { State = after };
        }
        return members.ToImmutable();
    }

    /// <summary>
    /// The members that must go again when <paramref name="dropped"/> do: those, every later one that touched an
    /// address or pod interface one of them touched (transitively), and every later one whose decision failed (it may have
    /// failed for what a dropped one took).
    /// </summary>
    public static ImmutableHashSet<int> GoingAgain(ImmutableArray<Member> members, IEnumerable<int> dropped)
    {
        var again = dropped.ToHashSet();
        if (again.Count == 0) return ImmutableHashSet<int>.Empty;
        var tainted = new System.Collections.Generic.HashSet<string>(again.SelectMany(i => members[i].Touched));
        for (var k = again.Min() + 1; k < members.Length; k++)
        {
            if (again.Contains(k)) continue;
            if (members[k].Plan.IsFail || members[k].Touched.Any(tainted.Contains))
            {
                again.Add(k);
                tainted.UnionWith(members[k].Touched);
            }
        }
        return again.ToImmutableHashSet();
    }

    /// <summary>
    /// The one write that commits the <paramref name="kept"/> members: their changes replayed in order on the
    /// pool as read, guarded by the version read (a create when the pool did not exist); none when none of
    /// them changes the pool.
    /// </summary>
    public static Option<StoreOp> Commit(PoolSnapshot read, ImmutableArray<Member> members, IEnumerable<int> kept)
    {
        var order = kept.Order().ToArray();
        if (!order.Any(i => members[i].WritesPool)) return Option<StoreOp>.None;
        var after = order.Aggregate(read.State, (state, i) => members[i].Change.ApplyTo(state));
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

    /// <summary>
    /// What a member's decision rests on, as keys: the offsets it changed and those its answer names (an address
    /// it already held, or released), and the pod interfaces whose allocations it changed (one that released an
    /// address and one that then gave the same pod interface another depend on each other).
    /// </summary>
    static ImmutableHashSet<string> Touched(Fin<Plan> plan, PoolChange change, PoolState before, Addresses.Cidr range)
    {
        var named = plan.Case is Plan p
            ? p.Outcome switch
            {
                Outcome.Allocated a => a.Leases.Select(l => l.Address),
                Outcome.Released r => r.Addresses.AsEnumerable(),
                _ => [],
            }
            : [];
        var offsets = change.Set.Select(a => a.Offset).Concat(change.Removed).Concat(named.SelectMany(a => range.OffsetOf(a).AsEnumerable()));
        var owners = change.Set.Select(a => a.Owner).Concat(change.Removed.SelectMany(o => before.At(o) is { } held ? [held.Owner] : Array.Empty<Owner>()))
            .Concat(offsets.SelectMany(o => before.At(o) is { } held ? [held.Owner] : Array.Empty<Owner>()));
        return offsets.Select(o => $"offset {o}")
            .Concat(owners.SelectMany(o => new[] { $"container {o.ContainerId}/{o.IfName}", $"pod {o.PodRef}/{o.IfName}" }))
            .ToImmutableHashSet();
    }
}

/// <summary>What one member did to the pool: allocations it set (new, or a new owner) and offsets it freed.</summary>
public sealed record PoolChange(ImmutableArray<Allocation> Set, ImmutableArray<UInt128> Removed)
{
    public static PoolChange Between(PoolState before, PoolState after)
    {
        if (ReferenceEquals(before, after)) return new PoolChange([], []);
        var set = ImmutableArray.CreateBuilder<Allocation>();
        var removed = ImmutableArray.CreateBuilder<UInt128>();
        int i = 0, j = 0;
        var (b, a) = (before.Allocations, after.Allocations);
        while (i < b.Length || j < a.Length)
        {
            if (j == a.Length || (i < b.Length && b[i].Offset < a[j].Offset)) removed.Add(b[i++].Offset);
            else if (i == b.Length || a[j].Offset < b[i].Offset) set.Add(a[j++]);
            else
            {
                if (a[j] != b[i]) set.Add(a[j]);
                i++;
                j++;
            }
        }
        return new PoolChange(set.ToImmutable(), removed.ToImmutable());
    }

    public PoolState ApplyTo(PoolState state) =>
        Set.Aggregate(Removed.Aggregate(state, (s, o) => s.Without(o)), (s, a) => s.With(a));
}

/// <summary>
/// One request of a batch: its plan, decided on the view the requests before it left, the pool as it leaves
/// it, its change to the pool, and the offsets it touched. The plan's steps split around its pool write:
/// <see cref="Before"/> (ADD's reservations) run before the batch's one write, <see cref="AfterWrite"/> (a
/// release's reservation deletes) once it has landed.
/// </summary>
public sealed record Member(Fin<Plan> Plan, PoolState After, PoolChange Change, ImmutableHashSet<string> Touched)
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
