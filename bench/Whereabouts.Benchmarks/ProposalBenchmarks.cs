using System.Buffers;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Whereabouts.Core.Pools;

namespace Whereabouts.Benchmarks;

/// <summary>
/// Not targets: evidence for the Core changes proposed in docs/benchmarks.md. Each pair measures what Core does
/// today against the same work done the proposed way, using only Core's public API.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn]
public class ProposalBenchmarks
{
    const int Size = PoolRoundTripBenchmarks.Size;

    string[] keys = [];
    UInt128[] million = [];
    byte[] json = [];
    PoolState state = null!;

    [GlobalSetup]
    public void Setup()
    {
        keys = Enumerable.Range(1, Size).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        json = Fixtures.PoolJson(Fixtures.V4Range, Size);
        state = Fixtures.Get(PoolCodec.Decode("p", json), "decode");
        million = Fixtures.Sequential(Fixtures.V6Taken);
    }

    /// <summary>What OffsetBitmap.Of spends before building pages: copying and sorting 1,000,000 ascending offsets.</summary>
    [Benchmark]
    public UInt128 BitmapOf_1M_CopyAndSortOnly()
    {
        var sorted = million.AsSpan().ToArray();
        Array.Sort(sorted);
        return sorted[^1];
    }

    /// <summary>Proposed instead: one pass checking that they are ascending already.</summary>
    [Benchmark]
    public bool BitmapOf_1M_AscendingCheckOnly()
    {
        var a = million;
        for (var i = 1; i < a.Length; i++) if (a[i - 1] >= a[i]) return false;
        return true;
    }

    /// <summary>Today: OffsetCodec.Parse (LINQ digit check + BigInteger) for 10,000 keys.</summary>
    [Benchmark]
    public int OffsetCodecParse_10k()
    {
        var n = 0;
        foreach (var k in keys) if (OffsetCodec.Parse(k).IsSucc) n++;
        return n;
    }

    /// <summary>Proposed: UInt128.TryParse with NumberStyles.None (digits only), long.TryParse for upstream's negatives.</summary>
    [Benchmark]
    public int UInt128TryParse_10k()
    {
        var n = 0;
        foreach (var k in keys) if (FastParse(k) is not null) n++;
        return n;
    }

    /// <summary>Today: PoolCodec.Decode.</summary>
    [Benchmark]
    public PoolState Decode_10k() => Fixtures.Get(PoolCodec.Decode("p", json), "decode");

    /// <summary>Proposed: the same JsonDocument walk with the fast offset parse.</summary>
    [Benchmark]
    public PoolState Decode_10k_FastOffsets()
    {
        using var doc = JsonDocument.Parse(json);
        var spec = doc.RootElement;
        var range = Fixtures.ParseCidr(spec.GetProperty("range").GetString()!);
        var list = new List<Allocation>();
        foreach (var entry in spec.GetProperty("allocations").EnumerateObject())
        {
            var offset = FastParse(entry.Name) ?? throw new InvalidOperationException(entry.Name);
            list.Add(new Allocation(offset, new Owner(Text(entry.Value, "id"), Text(entry.Value, "podref"), Text(entry.Value, "ifname"))));
        }
        return PoolState.Of(range, list);
    }

    /// <summary>Today: PoolCodec.Encode (growing MemoryStream, then ToArray).</summary>
    [Benchmark]
    public int Encode_10k() => PoolCodec.Encode(state).Length;

    /// <summary>Proposed: PoolCodec.Write into a buffer sized up front (~130 bytes per allocation).</summary>
    [Benchmark]
    public int Encode_10k_Presized()
    {
        var buffer = new ArrayBufferWriter<byte>(64 + state.Allocations.Length * 136);
        using (var w = new Utf8JsonWriter(buffer)) PoolCodec.Write(w, state);
        return buffer.WrittenCount;
    }

    /// <summary>Where Decode's time goes, 1 of 3: building the JsonDocument (1.25 MB).</summary>
    [Benchmark]
    public int Breakdown_JsonDocumentParse_10k()
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetArrayLengthOrZero();
    }

    /// <summary>2 of 3: walking it: names and three strings per entry, offsets parsed the fast way, no PoolState.</summary>
    [Benchmark]
    public int Breakdown_JsonWalk_10k()
    {
        using var doc = JsonDocument.Parse(json);
        var n = 0;
        foreach (var entry in doc.RootElement.GetProperty("allocations").EnumerateObject())
        {
            var owner = new Owner(Text(entry.Value, "id"), Text(entry.Value, "podref"), Text(entry.Value, "ifname"));
            if (FastParse(entry.Name) is not null && owner.IfName.Length > 0) n++;
        }
        return n;
    }

    /// <summary>3 of 3: PoolState.Of over the 10,000 decoded allocations (already in offset order).</summary>
    [Benchmark]
    public PoolState Breakdown_PoolStateOf_10k() => PoolState.Of(state.Range, state.Allocations);

    /// <summary>
    /// Proposed: one forward pass with Utf8JsonReader (no DOM), offsets parsed from the UTF-8 key bytes. A sketch:
    /// it assumes the stored shape and unescaped keys, which is what the real decoder would check.
    /// </summary>
    [Benchmark]
    public PoolState Decode_10k_Utf8JsonReader()
    {
        var reader = new Utf8JsonReader(json);
        string range = "";
        var list = new List<Allocation>(Size);
        reader.Read(); // {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("range"u8)) { reader.Read(); range = reader.GetString()!; continue; }
            if (!reader.ValueTextEquals("allocations"u8)) { reader.Read(); reader.Skip(); continue; }
            reader.Read(); // {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!UInt128.TryParse(reader.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                    throw new InvalidOperationException("bad key");
                string id = "", podref = "", ifname = "";
                reader.Read(); // {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = reader.ValueTextEquals("id"u8) ? 0 : reader.ValueTextEquals("podref"u8) ? 1 : reader.ValueTextEquals("ifname"u8) ? 2 : 3;
                    reader.Read();
                    if (field == 3 || reader.TokenType != JsonTokenType.String) { reader.Skip(); continue; }
                    var text = reader.GetString()!;
                    if (field == 0) id = text; else if (field == 1) podref = text; else ifname = text;
                }
                list.Add(new Allocation(offset, new Owner(id, podref, ifname)));
            }
        }
        return PoolState.Of(Fixtures.ParseCidr(range), list);
    }

    static UInt128? FastParse(string key) =>
        UInt128.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
        : key.StartsWith('-') && long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var neg) ? (UInt128)(ulong)neg
        : null;

    static string Text(JsonElement o, string key) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}

static class JsonElementExtensions
{
    public static int GetArrayLengthOrZero(this JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.GetArrayLength() : 0;
}
