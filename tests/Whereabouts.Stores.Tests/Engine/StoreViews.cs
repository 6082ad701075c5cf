using System.Collections.Immutable;
using Whereabouts.Core;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.Memory;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// What tests read back from an <see cref="InMemoryPoolStore"/>, through its port only: the pools a scope
/// loads, every pool and reservation in name order, and the store as comparable text.
/// </summary>
public static class StoreViews
{
    public static async Task<ImmutableArray<PoolSnapshot>> Load(this IPoolStore store, NetworkScope scope) =>
        [.. await Task.WhenAll(scope.PoolKeys.Map(k => store.LoadPool(k, default)))];

    public static async Task<PoolState> StateOf(this IPoolStore store, PoolKey key) => (await store.LoadPool(key, default)).State;

    public static Task<ImmutableArray<PoolSnapshot>> Pools(this IPoolStore store) => store.ListPools("", default);

    public static async Task<PoolSnapshot> Pool(this IPoolStore store, string name) =>
        (await store.ListPools(name, default)).Single(p => p.Key.Name == name);

    public static Task<ImmutableArray<ReservationEntry>> Reservations(this IPoolStore store) => store.ListReservations("", default);

    /// <summary>Every reservation, as a shell that had read them all would know them.</summary>
    public static async Task<KnownReservations> AllReservations(this IPoolStore store) =>
        (await store.Reservations()).Aggregate(KnownReservations.None, (k, r) => k with { Owners = k.Owners.AddOrUpdate(r.Name, r.Owner) });

    /// <summary>Seeds a pool as if some earlier writer had stored it.</summary>
    public static async Task Seed(this IPoolStore store, PoolKey key, PoolState state) =>
        Xunit.Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreatePool(key, state), default));

    /// <summary>Runs a plan decided elsewhere through the real executor (no retry, no compensation by a loop).</summary>
    public static Task<Execution> Execute(this IPoolStore store, Plan plan) => new PlanExecutor(store, Log.Silent).Run(plan, default);

    /// <summary>What the store holds, as comparable text: pools (non-empty) and reservations.</summary>
    public static async Task<string> Describe(this IPoolStore store, bool withContainers = true) =>
        string.Join("\n", (await store.Pools()).Where(p => !p.State.Allocations.IsEmpty).Select(p =>
                $"{p.Key.Name}: " + string.Join(",", p.State.Allocations.Select(a =>
                    $"{a.Offset}={(withContainers ? a.Owner.ContainerId + "/" : "")}{a.Owner.PodRef}/{a.Owner.IfName}")))
            .Concat((await store.Reservations()).Select(r => $"reservation {r.Name}={r.Owner.PodRef}/{r.Owner.IfName}")));
}
