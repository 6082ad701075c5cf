using LanguageExt;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Stores;

/// <summary>
/// The node-slice port (node_slice_size): which slice of a range a NodeSlicePool gives a node. Only the
/// Kubernetes datastore has NodeSlicePools; the other stores have no implementation.
/// </summary>
public interface INodeSlices
{
    /// <summary>
    /// The slice of <paramref name="nodeName"/> in NodeSlicePool <paramref name="poolName"/>; a pool or slice that
    /// does not exist yet is "try again later" (11), a slice that is not a CIDR a configuration error (7).
    /// </summary>
    Task<Fin<Cidr>> SliceOf(string poolName, string nodeName, CancellationToken ct);
}
