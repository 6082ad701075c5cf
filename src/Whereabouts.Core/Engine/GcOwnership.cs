using System.Collections.Immutable;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// What the calling node can show is its own. A runtime's valid list names only its own node's attachments,
/// so GC may release only allocations that provably belong to this node (docs/architecture.md, "CNI GC"):
/// <code>
///   released(a) = a ∉ valid ∧ owned(a)
///   owned(a)    = a's owner holds an address in this node's slice pool   (node slices: the pool is the node's)
///               ∨ AllLocal                                             (file store: one host)
///               ∨ a.PodRef ∈ PodsHereOrGone                            (kubernetes: pod bound here, or gone)
/// </code>
/// Unknown (etcd without node slices): nothing is owned. The shell gathers the facts; <see cref="Collectable"/> decides.
/// </summary>
public abstract record GcOwnership
{
    GcOwnership() { }

    /// <summary>The store belongs to this host alone (the file store).</summary>
    public sealed record AllLocal : GcOwnership;

    /// <summary>Pods ("namespace/name") bound to this node or no longer existing; an empty podref is never in it.</summary>
    public sealed record PodsHereOrGone(ImmutableHashSet<string> PodRefs) : GcOwnership;

    /// <summary>Ownership cannot be shown, for the reason given (logged by the shell).</summary>
    public sealed record Unknown(string Why) : GcOwnership;

    public bool Owns(Owner owner) => this switch
    {
        AllLocal => true,
        PodsHereOrGone p => owner.PodRef.Length > 0 && p.PodRefs.Contains(owner.PodRef),
        _ => false,
    };
}

/// <summary>GC's decision per allocation, and the pods whose placement the shell must look up first.</summary>
public static class Collectable
{
    /// <summary>released(a) of <see cref="GcOwnership"/>, over the pools just loaded.</summary>
    public static Func<Allocation, bool> By(GcRequest request, ImmutableArray<PoolSnapshot> pools)
    {
        var sliceOwners = SliceOwners(request.Scope, pools);
        return a => Unlisted(request.Valid, a) && (sliceOwners.Contains(a.Owner) || request.Ownership.Owns(a.Owner));
    }

    /// <summary>
    /// The pods ("namespace/name") whose placement decides GC: those of unlisted allocations that no slice pool
    /// already shows to be this node's. Distinct, in order of first appearance.
    /// </summary>
    public static ImmutableArray<string> PodsToCheck(ImmutableArray<Attachment> valid, NetworkScope scope, ImmutableArray<PoolSnapshot> pools)
    {
        var sliceOwners = SliceOwners(scope, pools);
        return pools.SelectMany(p => p.State.Allocations)
            .Where(a => a.Owner.PodRef.Length > 0 && Unlisted(valid, a) && !sliceOwners.Contains(a.Owner))
            .Select(a => a.Owner.PodRef).Distinct(StringComparer.Ordinal).ToImmutableArray();
    }

    static bool Unlisted(ImmutableArray<Attachment> valid, Allocation a) =>
        !valid.Exists(v => Ownership.ReleasedBy(a.Owner, v.ContainerId, v.IfName));

    /// <summary>Owners holding an address in this node's slice pool: their ADD ran on this node.</summary>
    static ImmutableHashSet<Owner> SliceOwners(NetworkScope scope, ImmutableArray<PoolSnapshot> pools)
    {
        var slicePools = scope.Ranges.Where(r => r.Slice.IsSome).Select(r => PoolKey.Of(r, scope.NetworkName).Name).ToImmutableHashSet(StringComparer.Ordinal);
        return pools.Where(p => slicePools.Contains(p.Key.Name)).SelectMany(p => p.State.Allocations).Select(a => a.Owner).ToImmutableHashSet();
    }
}
