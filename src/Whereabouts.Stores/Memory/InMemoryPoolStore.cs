using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Memory;

/// <summary>
/// The port's reference implementation: a dictionary under a lock with a global version counter. It is the
/// model the contract suite checks the real stores against, and the store for in-process tests.
/// </summary>
public sealed class InMemoryPoolStore : IPoolStore
{
    readonly object gate = new();
    readonly Dictionary<string, (PoolKey Key, PoolState State, long Version)> pools = [];
    readonly Dictionary<string, Owner> reservations = [];
    long counter;

    public Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct)
    {
        lock (gate)
            return Task.FromResult(pools.TryGetValue(key.Name, out var p)
                ? new PoolSnapshot(key, new StoreVersion(p.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)), p.State)
                : PoolSnapshot.Missing(key));
    }

    public Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct)
    {
        lock (gate) return Task.FromResult(reservations.TryGetValue(key.Name, out var o) ? Option<Owner>.Some(o) : Option<Owner>.None);
    }

    public Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct)
    {
        lock (gate)
            return Task.FromResult(reservations.Where(r => r.Key.StartsWith(namePrefix, StringComparison.Ordinal))
                .OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new ReservationEntry(r.Key, r.Value)).ToImmutableArray());
    }

    public Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct)
    {
        lock (gate)
            return Task.FromResult(pools.Where(p => p.Key.StartsWith(namePrefix, StringComparison.Ordinal))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new PoolSnapshot(p.Value.Key, new StoreVersion(p.Value.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)), p.Value.State))
                .ToImmutableArray());
    }

    public Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        lock (gate) return Task.FromResult(ApplyLocked(op));
    }

    ApplyResult ApplyLocked(StoreOp op) => op switch
    {
        StoreOp.CreatePool c => pools.ContainsKey(c.Pool.Name) ? ApplyResult.Conflict : Put(c.Pool, c.Initial),
        StoreOp.ReplacePool r => !pools.TryGetValue(r.Pool.Name, out var p) ? ApplyResult.Missing
            : p.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) != r.IfVersion.Value ? ApplyResult.Conflict
            : Put(r.Pool, r.Next),
        StoreOp.CreateReservation c => reservations.TryAdd(c.Key.Name, c.Owner) ? ApplyResult.Applied : ApplyResult.Conflict,
        StoreOp.DeleteReservation d => !reservations.TryGetValue(d.Key.Name, out var o) ? ApplyResult.Missing
            : !Ownership.MayDelete(d, o) ? ApplyResult.Conflict
            : reservations.Remove(d.Key.Name) ? ApplyResult.Applied : ApplyResult.Missing,
        _ => throw new ArgumentException($"{op.GetType().Name} is not a store operation", nameof(op)),
    };

    ApplyResult Put(PoolKey key, PoolState state)
    {
        pools[key.Name] = (key, state, ++counter);
        return ApplyResult.Applied;
    }

    public Task Ping(CancellationToken ct) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
