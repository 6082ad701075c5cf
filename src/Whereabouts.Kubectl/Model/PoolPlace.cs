using System.Collections.Immutable;
using Whereabouts.Core.Pools;

namespace Whereabouts.Kubectl.Model;

/// <summary>
/// Where a pool belongs: the network_name its name carries (the prefix of its reservations' names) and, in
/// node-slice mode, the node whose slice it is and the NodeSlicePool that assigned it.
/// <code>
///   name = [network_name-]cidr-name                       a range's pool
///        = [network_name-]node-slice-name                 a node's slice (the NodeSlicePool says which node)
/// </code>
/// Without a NodeSlicePool that assigns the pool's range, "blue-worker-1-10.0.1.0-24" reads as network
/// "blue-worker-1": slices of one network never overlap, so nothing that compares addresses is misled by it.
/// </summary>
public sealed record PoolPlace(string Network, string Node, string NodeSlicePool)
{
    public static PoolPlace Of(PoolKey pool, ImmutableArray<SliceAssignment> slices)
    {
        var prefix = pool.Prefix;
        foreach (var s in slices)
        {
            if (s.Slice.Normalised != pool.Range.Normalised) continue;
            if (prefix == s.Node) return new PoolPlace("", s.Node, s.NodeSlicePool);
            if (prefix.EndsWith("-" + s.Node, StringComparison.Ordinal)) return new PoolPlace(prefix[..^(s.Node.Length + 1)], s.Node, s.NodeSlicePool);
        }
        return new PoolPlace(prefix, "", "");
    }
}
