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

    /// <summary>Replace the pool only if its version is still <paramref name="IfVersion"/>.</summary>
    public sealed record ReplacePool(PoolKey Pool, StoreVersion IfVersion, PoolState Next) : StoreOp;

    /// <summary>Create the overlapping-range reservation; fails with a conflict if anyone holds it.</summary>
    public sealed record CreateReservation(ReservationKey Key, Owner Owner) : StoreOp;

    /// <summary>Delete the reservation only if it still belongs to this pod interface.</summary>
    public sealed record DeleteReservation(ReservationKey Key, Owner IfOwnedBy) : StoreOp;

    /// <summary>
    /// Compensation only: take this exact allocation out of the pool, whatever the pool's version now is.
    /// The shell runs it as a small plan of its own (<see cref="Releaser.Unallocate"/>) under conflict retry.
    /// </summary>
    public sealed record ReleaseAllocation(PoolKey Pool, Allocation Allocation) : StoreOp;
}
