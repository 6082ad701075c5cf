using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// What takes back one step of a plan that could not finish. A closed set: the shell applies a
/// <see cref="Write"/> as it stands, and decides an <see cref="Unallocate"/> afresh on the pool as it is then.
/// </summary>
public abstract record Undo
{
    Undo() { }

    /// <summary>A store write that takes the step back whatever happened since (a delete guarded by its owner).</summary>
    public sealed record Write(StoreOp Op) : Undo;

    /// <summary>Take exactly this allocation out of the pool, whatever the pool's version now is (<see cref="Releaser.Unallocate"/>).</summary>
    public sealed record Unallocate(PoolKey Pool, Allocation Allocation) : Undo;
}
