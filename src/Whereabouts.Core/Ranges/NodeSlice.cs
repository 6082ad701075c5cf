using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Ranges;

/// <summary>
/// Node-slice mode ("Fast IPAM", <c>node_slice_size</c>): the part of a range that the NodeSlicePool assigns to
/// <paramref name="Node"/>. The node allocates only inside it, from its own IPPool, so nodes never contend.
/// </summary>
public sealed record NodeSlice(Cidr Range, string Node);
