namespace Whereabouts.Core.Addresses;

/// <summary>The two address families; both go through the same 128-bit arithmetic.</summary>
public enum IpFamily
{
    V4,
    V6,
}

public static class IpFamilyFacts
{
    public static int Bits(this IpFamily family) => family == IpFamily.V4 ? 32 : 128;

    /// <summary>The largest value an address of this family can hold.</summary>
    public static UInt128 MaxValue(this IpFamily family) =>
        family == IpFamily.V4 ? uint.MaxValue : UInt128.MaxValue;
}
