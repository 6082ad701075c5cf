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
}
