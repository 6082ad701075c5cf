using BenchmarkDotNet.Attributes;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Benchmarks;

/// <summary>
/// The third target of docs/benchmarks.md: an ADD against a stored pool of 10,000 allocations, end to end in the core:
/// PoolCodec.Decode → Allocator.Decide (new pod, lowest free) → PoolCodec.Encode of the ReplacePool's Next.
/// The parts are measured alone too, and the whole for a 65,534-allocation (full /16 minus one) pool.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
public class PoolRoundTripBenchmarks
{
    public const int Size = Fixtures.PoolSize;

    byte[] json10k = [];
    byte[] json65k = [];
    PoolKey key = Fixtures.KeyOf(Fixtures.V4Range);
    AddRequest request = Fixtures.NewPodAdd(Fixtures.V4Range);
    PoolState decoded10k = null!;
    PoolState next10k = null!;

    [GlobalSetup]
    public void Setup()
    {
        json10k = Fixtures.PoolJson(Fixtures.V4Range, Size);
        json65k = Fixtures.PoolJson(Fixtures.V4Range, Fixtures.V4Usable - 1);
        key = Fixtures.KeyOf(Fixtures.V4Range);
        request = Fixtures.NewPodAdd(Fixtures.V4Range);
        decoded10k = Fixtures.Get(PoolCodec.Decode(key.Name, json10k), "decode");
        _ = decoded10k.Used; // decided on below with its bitmap already built
        next10k = Fixtures.NextOf(Fixtures.Decide(key, decoded10k, request));
        if (next10k.Allocations.Length != Size + 1 || next10k.At(Size + 1) is null)
            throw new InvalidOperationException("fixture is wrong: the new pod did not get offset 10,001");
        var roundTrip = Fixtures.DecodeDecideEncode(json10k, key, request);
        if (roundTrip.Length <= json10k.Length) throw new InvalidOperationException("fixture is wrong: encoded pool is not larger");
    }

    /// <summary>The target: decode + decide + encode, 10,000 allocations.</summary>
    [Benchmark(Baseline = true)]
    public byte[] DecodeDecideEncode_10k() => Fixtures.DecodeDecideEncode(json10k, key, request);

    [Benchmark]
    public PoolState Decode_10k() => Fixtures.Get(PoolCodec.Decode(key.Name, json10k), "decode");

    /// <summary>Decide alone on an already decoded pool whose bitmap is built.</summary>
    [Benchmark]
    public Plan Decide_10k_BitmapBuilt() => Fixtures.Decide(key, decoded10k, request);

    [Benchmark]
    public byte[] Encode_10k() => PoolCodec.Encode(next10k);

    /// <summary>The same round trip on a /16 pool holding 65,533 allocations.</summary>
    [Benchmark]
    public byte[] DecodeDecideEncode_65533() => Fixtures.DecodeDecideEncode(json65k, key, request);
}
