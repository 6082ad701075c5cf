using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Slices;

/// <summary>A NetworkAttachmentDefinition, as an owner and as the subject of a report.</summary>
public sealed record NadRef(string Namespace, string Name, string Uid)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>
/// What one NAD asks of the node-slice controller: NodeSlicePool <see cref="PoolName"/> (network_name, else the
/// CNI network's name) cutting <see cref="Range"/> into /<see cref="SliceSize"/> blocks, one per node.
/// <see cref="NetworkName"/> is network_name alone ("" when unset): it prefixes the nodes' IPPool names.
/// </summary>
public sealed record SliceWish(NadRef Source, string PoolName, string NetworkName, Cidr Range, int SliceSize)
{
    /// <summary>The NodeSlicePool's spec this wish asks for.</summary>
    public SliceSpec Spec => new(Range.Normalised, SliceSize);
}

/// <summary>A NodeSlicePool's spec: the range and the prefix length of its slices.</summary>
public readonly record struct SliceSpec(Cidr Range, int SliceSize)
{
    /// <summary>spec.sliceSize as upstream writes it.</summary>
    public string SliceSizeText => $"/{SliceSize}";

    public override string ToString() => $"{Range} in {SliceSizeText} slices";
}
