using LanguageExt;

namespace Whereabouts.Core.Pools;

/// <summary>
/// A pool as loaded from a store: its state and the version that guards the next write. A pool that does not
/// exist yet has no version and an empty state; writing it means creating it.
/// </summary>
public sealed record PoolSnapshot(PoolKey Key, Option<StoreVersion> Version, PoolState State)
{
    /// <summary>
    /// What the store that read this pool needs to write it back (Kubernetes: the object's labels, annotations,
    /// owners), opaque to the core. It travels with the snapshot into <see cref="Engine.StoreOp.ReplacePool"/>,
    /// so a write never depends on what the same store instance read earlier, and a cache can sit in front of any store.
    /// </summary>
    public object? StoreMetadata { get; init; }

    public static PoolSnapshot Missing(PoolKey key) => new(key, Option<StoreVersion>.None, PoolState.Empty(key.Range));

    public bool Exists => Version.IsSome;
}
