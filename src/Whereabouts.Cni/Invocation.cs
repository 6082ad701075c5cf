using Whereabouts.Core.Engine;
using Whereabouts.Core.Requests;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>Everything one verb needs: the resolved request, its store, what runs its decisions against that store, its log.</summary>
public sealed record Invocation(Request Request, IPoolStore Store, IDecisionRunner Retry, Log Log)
{
    public Core.Config.IpamSettings Ipam => Request.Ipam;
    public NetworkScope Scope => Request.Scope;
}
