using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Slices;

/// <summary>What a plan did or could not do, one record per case; the shell turns them into Events and log lines.</summary>
public abstract record SliceNote
{
    /// <summary>A node without a slice was given the first free one.</summary>
    public sealed record Assigned(string Node, Cidr Slice) : SliceNote;

    /// <summary>A node that is gone, and whose IPPool is empty, gave its slice back.</summary>
    public sealed record Freed(string Node, Cidr Slice) : SliceNote;

    /// <summary>A node that is gone keeps its slice: its IPPool still holds addresses (or could not be read).</summary>
    public sealed record HeldForGoneNode(string Node, Cidr Slice, string PoolName) : SliceNote;

    /// <summary>No free slice was left for a node.</summary>
    public sealed record Exhausted(string Node, SliceSpec Spec) : SliceNote;

    /// <summary>
    /// A NAD asks for another range or slice size than the pool has (or than the NAD that named the pool first):
    /// slices already handed out cannot move under running pods, so the pool stays as it is.
    /// </summary>
    public sealed record SpecNotHonoured(NadRef Nad, SliceSpec Asked, SliceSpec Kept, string Why) : SliceNote;

    /// <summary>An entry of status.allocations that is not a slice of the pool, or repeats a slice or a node: kept, not used.</summary>
    public sealed record BadEntry(SliceEntry Entry, string Why) : SliceNote;
}
