using BenchmarkDotNet.Attributes;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Sets;

namespace Whereabouts.Benchmarks;

/// <summary>The first two targets of docs/benchmarks.md: "first free address" over a nearly full /16 and a /64 with a million taken.</summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
public class FirstFreeBenchmarks
{
    OffsetBitmap v4 = OffsetBitmap.Empty;
    IntervalSet v4Allocatable = IntervalSet.Empty;
    OffsetBitmap v6 = OffsetBitmap.Empty;
    IntervalSet v6Allocatable = IntervalSet.Empty;

    [GlobalSetup]
    public void Setup()
    {
        v4 = OffsetBitmap.Of(Fixtures.V4AllButOne());
        v4Allocatable = Fixtures.AllocatableOf(Fixtures.V4Range);
        v6 = OffsetBitmap.Of(Fixtures.Sequential(Fixtures.V6Taken));
        v6Allocatable = Fixtures.AllocatableOf(Fixtures.V6Range);
        Check(v4.FirstFreeAtOrAfter(0, v4Allocatable), (UInt128)Fixtures.V4FreeOffset, v4.Count, Fixtures.V4Usable - 1);
        Check(v6.FirstFreeAtOrAfter(0, v6Allocatable), (UInt128)(Fixtures.V6Taken + 1), v6.Count, Fixtures.V6Taken);
    }

    static void Check(UInt128? found, UInt128 expected, int count, int expectedCount)
    {
        if (found != expected || count != expectedCount)
            throw new InvalidOperationException($"fixture is wrong: first free {found} (want {expected}), count {count} (want {expectedCount})");
    }

    /// <summary>IPv4 /16, 65,533 of 65,534 usable taken, the free one at offset 65,530.</summary>
    [Benchmark]
    public UInt128? V4_16_65533Taken() => v4.FirstFreeAtOrAfter(0, v4Allocatable);

    /// <summary>IPv6 /64, offsets 1 … 1,000,000 taken.</summary>
    [Benchmark]
    public UInt128? V6_64_1MTaken() => v6.FirstFreeAtOrAfter(0, v6Allocatable);
}
