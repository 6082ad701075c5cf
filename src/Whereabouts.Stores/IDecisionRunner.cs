using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores;

/// <summary>
/// How a verb gets its decision run against the store: <see cref="ConflictRetry"/> alone (the plugin), or a
/// node agent's <see cref="GroupCommit"/> for requests about one pool (<see cref="Batched"/>).
/// </summary>
public interface IDecisionRunner
{
    Task<Fin<Outcome>> Run(ImmutableArray<PoolKey> keys, ConflictRetry.Decision decide, CancellationToken ct);
}

/// <summary>
/// A request about exactly one pool goes through the group commit of its store; one about several pools
/// (a multi-range network) through its own loop, as a batch commits with one write of one pool.
/// </summary>
public sealed class Batched(GroupCommit group, ConflictRetry alone, RetryDeadline deadline) : IDecisionRunner
{
    public Task<Fin<Outcome>> Run(ImmutableArray<PoolKey> keys, ConflictRetry.Decision decide, CancellationToken ct) =>
        keys.Length == 1 ? group.Run(keys[0], decide, deadline) : alone.Run(keys, decide, ct);
}
