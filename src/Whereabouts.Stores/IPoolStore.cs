using System.Collections.Immutable;
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
/// The datastore port: load a pool or a reservation, list them (for cleanup), apply one guarded write. Kubernetes, etcd, the file
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
    /// Every reservation whose name starts with <paramref name="namePrefix"/> ("" for all), with its owner.
    /// One that does not decode is left out: listings serve cleanup, which one bad object must not stop.
    /// Costs a read of every reservation (a paged LIST on Kubernetes): DEL and GC call it only where an
    /// orphan can be (<see cref="Core.Engine.OrphanedReservations"/>), never ADD.
    /// </summary>
    Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct);

    /// <summary>
    /// Every pool whose name starts with <paramref name="namePrefix"/>, as <see cref="LoadPool"/> returns it
    /// (its key's range is the stored one); one that does not decode is left out. GC only, to tell an orphaned
    /// reservation from one another configuration's pool backs.
    /// </summary>
    Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct);

    /// <summary>
    /// CreatePool → Applied | Conflict (exists). ReplacePool → Applied | Conflict (version moved) | Missing.
    /// CreateReservation → Applied | Conflict (exists). DeleteReservation → Applied | Missing | Conflict
    /// (held by another pod interface: left alone).
    /// </summary>
    Task<ApplyResult> Apply(StoreOp op, CancellationToken ct);

    /// <summary>Succeeds when the store can serve requests (CNI STATUS).</summary>
    Task Ping(CancellationToken ct);
}
