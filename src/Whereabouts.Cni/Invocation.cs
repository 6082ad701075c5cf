using Whereabouts.Core.Engine;
using Whereabouts.Core.Requests;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>Everything one verb needs: the resolved request, its store, the retry loop over that store, its log.</summary>
public sealed record Invocation(Request Request, IPoolStore Store, ConflictRetry Retry, Log Log)
{
    public Core.Config.IpamSettings Ipam => Request.Ipam;
    public NetworkScope Scope => Request.Scope;
}
