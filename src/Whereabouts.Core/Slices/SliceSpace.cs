using LanguageExt;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Slices;

/// <summary>
/// A range cut into equal slices, numbered in address order; computed, never listed, so a /64 in /80 slices
/// (65,536 of them) costs nothing until one is asked for:
/// <code>
///   10.0.0.0/16 in /24 slices:   10.0.0.0/24  10.0.1.0/24  ...  10.0.255.0/24
///   index:                            0            1       ...       255
/// </code>
/// </summary>
public readonly record struct SliceSpace(SliceSpec Spec)
{
    int SliceHostBits => Spec.Range.Family.Bits() - Spec.SliceSize;

    /// <summary>2^(sliceSize − prefix), saturating at UInt128.MaxValue for ::/0 in /128 slices.</summary>
    public UInt128 Count
    {
        get
        {
            var exponent = Spec.SliceSize - Spec.Range.Prefix;
            return exponent >= 128 ? UInt128.MaxValue : UInt128.One << exponent;
        }
    }

    public Cidr At(UInt128 index) =>
        new(new Address(Spec.Range.Family, Spec.Range.Network.Value + (index << SliceHostBits)), Spec.SliceSize);

    /// <summary>The index of a slice of this space: its prefix is the slice size and its network lies in the range.</summary>
    public Option<UInt128> IndexOf(Cidr slice) =>
        slice.Prefix == Spec.SliceSize && Spec.Range.Contains(slice.Address)
            ? (slice.Network.Value - Spec.Range.Network.Value) >> SliceHostBits
            : Option<UInt128>.None;
}
