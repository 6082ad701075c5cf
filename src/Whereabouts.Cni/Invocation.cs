using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>Everything one verb needs, assembled by the dispatcher.</summary>
public sealed record Invocation(
    CniRequest Request,
    NetworkConfig Network,
    IpamSettings Ipam,
    IPoolStore Store,
    ConflictRetry Retry,
    Log Log)
{
    public NetworkScope Scope => new(Ipam.Ranges, Ipam.NetworkName, Ipam.OverlappingRanges);

    /// <summary>This node's name as node slices find it (NodeSlices.NodeName), read only by the verbs that need it.</summary>
    public Func<string?> NodeName { get; init; } = () => null;
}
