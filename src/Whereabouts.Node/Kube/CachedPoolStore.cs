using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Node.Kube;

/// <summary>
/// The Kubernetes store with its pool reads answered from the watched cache: no request on the read path
/// while the cache is current. Writes go to the API server as they are, guarded by the version decided on; the
/// server's answer to a pool write updates the cache, and a write that lost its race or its answer marks the
/// pool stale, so the next decision reads it first (one GET).
/// </summary>
public sealed class CachedPoolStore(KubernetesPoolStore inner, PoolCache cache, NodeSliceCache? slicePools = null) : IPoolStore, INodeSlices, IKubernetesStore
{
    public KubernetesPoolStore Kubernetes => inner;

    readonly KubernetesNodeSlices slices = new(inner);

    public async Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct)
    {
        if (cache.Find(key) is { } cached) return cached;
        var read = await inner.LoadPool(key, ct);
        if (read.Exists) cache.Put(read);
        return read;
    }

    public async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        var pool = op switch
        {
            StoreOp.ReplacePool r => r.Pool.Name,
            StoreOp.CreatePool c => c.Pool.Name,
            _ => null,
        };
        try
        {
            var result = await inner.Apply(op, ct);
            if (pool is not null && result != ApplyResult.Applied) cache.Invalidate(pool);
            return result;
        }
        catch (Exception) when (pool is not null)
        {
            cache.Invalidate(pool);
            throw;
        }
    }

    public Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct) => inner.LoadReservation(key, ct);
    public Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) => inner.ListReservations(namePrefix, ct);
    public Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) => inner.ListPools(namePrefix, ct);
    public Task Ping(CancellationToken ct) => inner.Ping(ct);

    public Task<LanguageExt.Fin<Core.Addresses.Cidr>> SliceOf(string pool, string node, CancellationToken ct) =>
        slicePools is not null && slicePools.TryFind(pool, out var watched)
            ? Task.FromResult(KubernetesNodeSlices.SliceIn(watched, inner.Namespace, pool, node))
            : slices.SliceOf(pool, node, ct);

    /// <summary>The agent owns the store's connection and disposes of it at exit, not per request.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
