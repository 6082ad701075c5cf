using System.Collections.Immutable;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Config;
using Whereabouts.Core.Pools;

namespace Whereabouts.Kubectl.Model;

/// <summary>
/// Everything the read commands judge, read once: the pools and reservations of the datastore, the cluster's
/// pods and the node slices the NodeSlicePools assign. The Model folder is pure: each command reads a view,
/// a function here decides, and the command renders what it decided.
/// </summary>
public sealed record ClusterView(
    ImmutableArray<PoolSnapshot> Pools,
    ImmutableArray<ReservationEntry> Reservations,
    ImmutableDictionary<string, PodInfo> Pods,
    ImmutableArray<SliceAssignment> Slices)
{
    /// <summary>The ranges the NetworkAttachmentDefinitions configure (range_start, range_end, exclude): read by check only.</summary>
    public ImmutableArray<NadRange> Ranges { get; init; } = [];

    public PodInfo? Pod(string podRef) => Pods.TryGetValue(podRef, out var pod) ? pod : null;
}

/// <summary>A range a NetworkAttachmentDefinition ("namespace/name") configures for its whereabouts IPAM.</summary>
public sealed record NadRange(string Nad, ConfiguredRange Configured);

/// <summary>A pod as the read commands need it: "namespace/name", its node ("" while unscheduled), phase and creation time.</summary>
public sealed record PodInfo(string Ref, string Node, string Phase, DateTimeOffset? Created);

/// <summary>One node's slice of a NodeSlicePool (named after the network): status.allocations[] {nodeName, sliceRange}.</summary>
public sealed record SliceAssignment(string NodeSlicePool, Cidr Range, string Node, Cidr Slice);
