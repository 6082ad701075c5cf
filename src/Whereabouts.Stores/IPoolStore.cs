using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores;

/// <summary>What applying one <see cref="StoreOp"/> did.</summary>
public enum ApplyResult
{
    /// <summary>The write happened.</summary>
    Applied,
    /// <summary>The guard failed: the version moved, the object already exists, or a reservation is someone else's.</summary>
    Conflict,
    /// <summary>The object to replace or delete does not exist.</summary>
    Missing,
}

/// <summary>
/// The datastore port: load a pool or a reservation, apply one guarded write. Kubernetes, etcd, the file
/// store and the in-memory store implement it; the shared contract suite pins its semantics.
/// Failures to reach the store are <see cref="StoreUnavailableException"/>.
/// </summary>
public interface IPoolStore : IAsyncDisposable
{
    /// <summary>The pool with its version, or <see cref="PoolSnapshot.Missing"/> when it does not exist.</summary>
    Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct);

    /// <summary>Who holds the reservation, if anyone.</summary>
    Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct);

    /// <summary>
    /// CreatePool → Applied | Conflict (exists). ReplacePool → Applied | Conflict (version moved) | Missing.
    /// CreateReservation → Applied | Conflict (exists). DeleteReservation → Applied | Missing | Conflict
    /// (held by another pod interface: left alone). ReleaseAllocation is not a store operation.
    /// </summary>
    Task<ApplyResult> Apply(StoreOp op, CancellationToken ct);

    /// <summary>Succeeds when the store can serve requests (CNI STATUS).</summary>
    Task Ping(CancellationToken ct);
}
