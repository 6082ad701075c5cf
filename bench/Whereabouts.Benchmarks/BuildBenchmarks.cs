using BenchmarkDotNet.Attributes;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Sets;

namespace Whereabouts.Benchmarks;

/// <summary>
/// What decoding costs before any decision: building the bitmap (OffsetBitmap.Of) and the pool (PoolState.Of,
/// whose bitmap is lazy, so it is measured with and without forcing <see cref="PoolState.Used"/>).
/// Allocated bytes here include the transient sort buffer, not only what stays alive; the program's
/// <c>--memory</c> mode prints the retained size.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
public class BuildBenchmarks
{
    UInt128[] v4Offsets = [];
    UInt128[] v6Offsets = [];
    Allocation[] allocations65k = [];
    Allocation[] allocations65kShuffled = [];
    readonly Whereabouts.Core.Addresses.Cidr v4 = Fixtures.ParseCidr(Fixtures.V4Range);

    [GlobalSetup]
    public void Setup()
    {
        v4Offsets = Fixtures.Sequential(Fixtures.V4Usable);
        v6Offsets = Fixtures.Sequential(Fixtures.V6Taken);
        allocations65k = Fixtures.Allocations(Fixtures.V4Usable);
        allocations65kShuffled = (Allocation[])allocations65k.Clone();
        new Random(42).Shuffle(allocations65kShuffled);
    }

    /// <summary>OffsetBitmap.Of over 65,534 ascending offsets (a full /16).</summary>
    [Benchmark]
    public OffsetBitmap Bitmap_Of_65534() => OffsetBitmap.Of(v4Offsets);

    /// <summary>OffsetBitmap.Of over 1,000,000 ascending offsets (scenario 2's bitmap).</summary>
    [Benchmark]
    public OffsetBitmap Bitmap_Of_1M() => OffsetBitmap.Of(v6Offsets);

    /// <summary>PoolState.Of over 65,534 allocations already in offset order (as PoolCodec reads our own output).</summary>
    [Benchmark]
    public PoolState PoolState_Of_65534_Sorted() => PoolState.Of(v4, allocations65k);

    /// <summary>PoolState.Of over 65,534 allocations in random order (map order of another writer).</summary>
    [Benchmark]
    public PoolState PoolState_Of_65534_Shuffled() => PoolState.Of(v4, allocations65kShuffled);

    /// <summary>PoolState.Of plus forcing its lazy bitmap, as the first ADD does.</summary>
    [Benchmark]
    public OffsetBitmap PoolState_Of_65534_Sorted_PlusUsed() => PoolState.Of(v4, allocations65k).Used;
}
