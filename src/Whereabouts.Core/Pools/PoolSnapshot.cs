using LanguageExt;

namespace Whereabouts.Core.Pools;

/// <summary>
/// A pool as loaded from a store: its state and the version that guards the next write. A pool that does not
/// exist yet has no version and an empty state; writing it means creating it.
/// </summary>
public sealed record PoolSnapshot(PoolKey Key, Option<StoreVersion> Version, PoolState State)
{
    public static PoolSnapshot Missing(PoolKey key) => new(key, Option<StoreVersion>.None, PoolState.Empty(key.Range));

    public bool Exists => Version.IsSome;
}
