using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// A store whose every call first yields to the thread pool, as a call over the network would. The in-memory
/// store answers at once, so two loops started together would mostly run one after the other; yielding lets
/// their reads and writes interleave, and races be lost.
/// </summary>
public sealed class InterleavingStore(IPoolStore inner) : IPoolStore
{
    public async Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct)
    {
        await Task.Yield();
        return await inner.LoadPool(key, ct);
    }

    public async Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct)
    {
        await Task.Yield();
        return await inner.LoadReservation(key, ct);
    }

    public Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) => inner.ListReservations(namePrefix, ct);

    public Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) => inner.ListPools(namePrefix, ct);

    public async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        await Task.Yield();
        return await inner.Apply(op, ct);
    }

    public Task Ping(CancellationToken ct) => inner.Ping(ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
