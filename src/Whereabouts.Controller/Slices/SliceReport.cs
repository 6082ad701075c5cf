using System.Collections.Immutable;
using Whereabouts.Core.Slices;

namespace Whereabouts.Controller.Slices;

/// <summary>What one pass did to one NodeSlicePool.</summary>
public enum PoolWrite
{
    /// <summary>Already as planned: nothing written.</summary>
    Unchanged,
    Created,
    Updated,
    /// <summary>Named by no NAD any more, and none of its nodes' IPPools holds an address: deleted.</summary>
    Deleted,
    /// <summary>Not written: the stored pool cannot be read as a NodeSlicePool, or the writes kept conflicting, or the API failed (see <see cref="PoolOutcome.Error"/>).</summary>
    Failed,
}

/// <param name="Notes">What the plan that was written (or found already written) did and could not do.</param>
/// <param name="Attempts">Plans made: more than one when a concurrent write made the first one stale.</param>
public sealed record PoolOutcome(string PoolName, PoolWrite Write, ImmutableArray<SliceNote> Notes, int Attempts, string Error = "");

/// <summary>A NAD that asks for node slices in a way that cannot be honoured at all (its config is broken).</summary>
public sealed record NadProblem(NadRef Nad, string Message);

/// <summary>One reconcile pass: each pool's outcome, and the NADs that were left out.</summary>
public sealed record SliceReport(ImmutableArray<PoolOutcome> Pools, ImmutableArray<NadProblem> Problems)
{
    public PoolOutcome? Pool(string name) => Pools.FirstOrDefault(p => p.PoolName == name);
}
