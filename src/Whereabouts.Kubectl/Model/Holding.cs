using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;

namespace Whereabouts.Kubectl.Model;

/// <summary>
/// Who holds one address of one pool: the allocation's owner, and what the cluster says of its pod (node,
/// phase, age); a pod that does not exist has no node, phase or age.
/// </summary>
public sealed record Holding(PoolKey Pool, Address Address, Allocation Allocation, PodInfo? Pod)
{
    public TimeSpan? Age(DateTimeOffset now) => Pod?.Created is { } created ? now - created : null;
}
