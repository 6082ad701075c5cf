using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// One write the shell must perform against a datastore. A closed set: the private constructor admits only
/// the cases below. The core produces these; it never performs them.
/// </summary>
public abstract record StoreOp
{
    StoreOp() { }

    /// <summary>Create the pool; fails with a conflict if it already exists.</summary>
    public sealed record CreatePool(PoolKey Pool, PoolState Initial) : StoreOp;

    /// <summary>
    /// Replace the pool read as <paramref name="From"/> with <paramref name="Next"/>, only if its version is still
    /// the one read. A store that lost the answer to this write tells by <see cref="Read"/> whether our change
    /// (Read → Next) is visible under a newer version; one that keeps metadata finds it in <see cref="PoolSnapshot.StoreMetadata"/>.
    /// </summary>
    public sealed record ReplacePool(PoolSnapshot From, PoolState Next) : StoreOp
    {
        public PoolKey Pool => From.Key;

        /// <summary>The version the write is guarded by (a snapshot of a missing pool has none: the store answers Missing).</summary>
        public StoreVersion IfVersion => From.Version.IfNone(default(StoreVersion));

        /// <summary>The pool as read at <see cref="IfVersion"/>.</summary>
        public PoolState Read => From.State;
    }

    /// <summary>Create the overlapping-range reservation; fails with a conflict if anyone holds it.</summary>
    public sealed record CreateReservation(ReservationKey Key, Owner Owner) : StoreOp;

    /// <summary>
    /// Delete the reservation only if it still belongs to this pod interface (its pod reference and interface;
    /// upstream writes no container ID). With <see cref="ExactOwner"/>, only if it holds exactly this owner,
    /// container ID included: cleaning an orphan must not delete what a new sandbox of the pod has just taken over.
    /// </summary>
    public sealed record DeleteReservation(ReservationKey Key, Owner IfOwnedBy) : StoreOp
    {
        public bool ExactOwner { get; init; }
    }
}
