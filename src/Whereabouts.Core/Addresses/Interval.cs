namespace Whereabouts.Core.Addresses;

/// <summary>An inclusive run of 128-bit values, <c>Lo ≤ Hi</c>.</summary>
public readonly record struct Interval(UInt128 Lo, UInt128 Hi)
{
    public bool Contains(UInt128 v) => Lo <= v && v <= Hi;

    /// <summary>Number of values, saturating at <see cref="UInt128.MaxValue"/> for the full space.</summary>
    public UInt128 Count => Hi - Lo == UInt128.MaxValue ? UInt128.MaxValue : Hi - Lo + 1;

    public override string ToString() => Lo == Hi ? $"{Lo}" : $"{Lo}-{Hi}";
}
