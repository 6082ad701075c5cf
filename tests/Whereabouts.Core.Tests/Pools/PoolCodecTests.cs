using System.Text;
using System.Text.Json;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Tests.Pools;

public sealed class PoolCodecTests
{
    const string UpstreamPool = """
        {
          "range": "fd00:0:0:10::/64",
          "allocations": {
            "-3844666706890850303": { "id": "c0ffee", "podref": "default/pod-a" },
            "1": { "id": "beef", "podref": "default/pod-b", "ifname": "net1" },
            "18446744073709551615": { "id": "feed", "podref": "kube-system/pod-c", "ifname": "net2" }
          }
        }
        """;

    static PoolState Decode(string json) => PoolCodec.Decode("pool", Encoding.UTF8.GetBytes(json)).ThrowIfFail();

    [Fact]
    public void APoolWrittenByUpstreamIsReadWithNegativeKeysAndMissingInterfaceNames()
    {
        var pool = Decode(UpstreamPool);
        Assert.Equal("fd00:0:0:10::/64", pool.Range.ToString());
        Assert.Equal(
            [
                ((UInt128)1, new Owner("beef", "default/pod-b", "net1")),
                ((UInt128)14602077366818701313, new Owner("c0ffee", "default/pod-a", "")),
                ((UInt128)18446744073709551615, new Owner("feed", "kube-system/pod-c", "net2")),
            ],
            pool.Allocations.Select(a => (a.Offset, a.Owner)));
        Assert.Equal("fd00::10:caa5:0:0:1", pool.Range.AddressAt(14602077366818701313).ToString()); // 2^64 − 3844666706890850303 = 0xcaa5_0000_0000_0001
        Assert.Equal([(UInt128)1, 14602077366818701313, 18446744073709551615], pool.Used.Offsets());
    }

    [Fact]
    public void AnEntryWithoutAnInterfaceNameIsReleasedByItsContainerOnAnyInterface()
    {
        var owner = Decode(UpstreamPool).Allocations[1].Owner;
        Assert.True(Ownership.ReleasedBy(owner, "c0ffee", "net1"));
        Assert.True(Ownership.ReleasedBy(owner, "c0ffee", "eth0"));
        Assert.False(Ownership.ReleasedBy(owner, "beef", "net1"));
    }

    [Fact]
    public void EncodingWritesDecimalKeysAndOmitsAnEmptyInterfaceName()
    {
        var json = Encoding.UTF8.GetString(PoolCodec.Encode(Decode(UpstreamPool)));
        Assert.Equal(
            """{"range":"fd00:0:0:10::/64","allocations":{"1":{"id":"beef","podref":"default/pod-b","ifname":"net1"},"14602077366818701313":{"id":"c0ffee","podref":"default/pod-a"},"18446744073709551615":{"id":"feed","podref":"kube-system/pod-c","ifname":"net2"}}}""",
            json);
    }

    [Fact]
    public void DecodingWhatWasEncodedGivesThePoolBack() =>
        Gens.PoolState.Sample(pool =>
        {
            var back = PoolCodec.Decode("p", PoolCodec.Encode(pool)).ThrowIfFail();
            Assert.Equal(pool.Range, back.Range);
            Assert.Equal(pool.Allocations.ToArray(), back.Allocations.ToArray());
            Assert.Equal(pool.Allocations.Select(a => a.Offset), back.Used.Offsets());
        });

    [Fact]
    public void ALaterDuplicateOffsetReplacesAnEarlierOne()
    {
        var pool = Decode("""{"range":"10.0.0.0/24","allocations":{"5":{"id":"a","podref":"ns/a"},"005":{"id":"b","podref":"ns/b"}}}""");
        Assert.Equal([new Allocation(5, new Owner("b", "ns/b", ""))], pool.Allocations.ToArray());
    }

    [Fact]
    public void APoolWithoutAllocationsIsEmpty()
    {
        var pool = Decode("""{"range":"10.0.0.7/24"}""");
        Assert.Equal("10.0.0.0/24", pool.Range.ToString());
        Assert.Empty(pool.Allocations);
        Assert.Equal(0, pool.Used.Count);
    }

    [Theory]
    [InlineData("{", "pool")]
    [InlineData("[]", "spec.range is missing")]
    [InlineData("""{"allocations":{}}""", "spec.range is missing")]
    [InlineData("""{"range":"10.0.0.0/33"}""", "not a CIDR")]
    [InlineData("""{"range":"10.0.0.0/24","allocations":{"x1":{"id":"a","podref":"ns/a"}}}""", "\"x1\"")]
    [InlineData("""{"range":"10.0.0.0/24","allocations":{"-99999999999999999999":{"id":"a"}}}""", "-99999999999999999999")]
    public void AnUnreadablePoolIsACorruptPoolErrorNamingThePool(string json, string mentions)
    {
        var result = PoolCodec.Decode("blue-10.0.0.0-24", Encoding.UTF8.GetBytes(json));
        Assert.True(result.IsFail);
        result.IfFail(e =>
        {
            Assert.Equal(Errors.CorruptPoolCode, e.Code);
            Assert.Contains("blue-10.0.0.0-24", e.Message);
            Assert.Contains(mentions, e.Message);
        });
    }

    [Fact]
    public void ReservationsRoundTripAndOmitAnEmptyInterfaceName()
    {
        var owner = new Owner("c1", "ns/pod", "");
        var json = Encoding.UTF8.GetString(ReservationCodec.Encode(owner));
        Assert.Equal("""{"containerid":"c1","podref":"ns/pod"}""", json);
        Assert.Equal(owner, ReservationCodec.Decode("r", Encoding.UTF8.GetBytes(json)).ThrowIfFail());
        Assert.Equal(new Owner("", "ns/pod", "net1"), ReservationCodec.Decode("r", """{"podref":"ns/pod","ifname":"net1"}"""u8).ThrowIfFail());
    }

    /// <summary>
    /// The streaming decoder against a model that reads the spec through JsonDocument (the last of a repeated
    /// key, "" for a missing or mistyped owner field): encoded pools with extra keys, values of the wrong type,
    /// repeated keys and escaped strings mixed in.
    /// </summary>
    [Fact]
    public void TheStreamingDecoderReadsAsTheElementModelDoes()
    {
        var junk = CsCheck.Gen.OneOf(
            CsCheck.Gen.Const("\"extra\":1"), CsCheck.Gen.Const("\"extra\":[1,{\"a\":null}]"), CsCheck.Gen.Const("\"podref\":7"),
            CsCheck.Gen.Const("\"ifname\":\"n\\u0065t9\""), CsCheck.Gen.Const("\"id\":{\"x\":\"y\"}"));
        (from pool in Gens.PoolState
         from extra in junk
         from place in CsCheck.Gen.Int[0, 2]
         select (pool, extra, place))
        .Sample(t =>
        {
            var json = Encoding.UTF8.GetString(PoolCodec.Encode(t.pool));
            json = t.place switch
            {
                0 => "{" + t.extra + "," + json[1..],                                  // before "range"
                1 => json.Replace("\"allocations\":{\"", "\"allocations\":{\"1\":{" + t.extra + "},\"", StringComparison.Ordinal),
                _ => json.Replace("\"podref\":", t.extra + ",\"podref\":", StringComparison.Ordinal),
            };
            using var doc = JsonDocument.Parse(json);
            var streamed = PoolCodec.Decode("p", Encoding.UTF8.GetBytes(json));
            var element = ModelRead("p", doc.RootElement);
            Assert.Equal(Summary(element), Summary(streamed));
        });
    }

    /// <summary>The model: the spec read through JsonElement, whose lookups return the last of a repeated key.</summary>
    static LanguageExt.Fin<PoolState> ModelRead(string poolName, JsonElement spec)
    {
        if (spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty("range", out var rangeEl) || rangeEl.ValueKind != JsonValueKind.String)
            return Errors.CorruptPool(poolName, "spec.range is missing");
        var range = Cidr.Parse(rangeEl.GetString());
        if (range.IsFail) return Errors.CorruptPool(poolName, "spec.range is not a CIDR");
        var list = new List<Allocation>();
        if (spec.TryGetProperty("allocations", out var allocations) && allocations.ValueKind == JsonValueKind.Object)
            foreach (var entry in allocations.EnumerateObject())
            {
                var offset = OffsetCodec.Parse(entry.Name);
                if (offset.IsFail) return Errors.CorruptPool(poolName, $"allocation key \"{entry.Name}\" is not a decimal offset");
                list.Add(new Allocation(offset.IfFail(UInt128.Zero), ModelOwner(entry.Value, "id")));
            }
        return PoolState.Of(range.IfFail(default(Cidr)), list);
    }

    static Owner ModelOwner(JsonElement o, string idKey) => new(Text(o, idKey), Text(o, "podref"), Text(o, "ifname"));

    static string Text(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    static string Summary(LanguageExt.Fin<PoolState> pool) => pool.Match(
        Succ: p => p.Range + " " + string.Join(";", p.Allocations.Select(a => $"{a.Offset}={a.Owner.ContainerId},{a.Owner.PodRef},{a.Owner.IfName}")),
        Fail: e => "error " + e.Message);

    [Theory]
    [InlineData("""{"containerid":"c1","podref":"ns/pod","ifname":"net1"}""")]
    [InlineData("""{"podref":"ns/pod","extra":{"containerid":"no"},"containerid":"c\u0031"}""")]
    [InlineData("""{"containerid":5,"podref":["x"]}""")]
    [InlineData("[]")]
    public void TheStreamingReservationDecoderReadsAsTheElementModelDoes(string json)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(ModelOwner(doc.RootElement, "containerid"), ReservationCodec.Decode("r", Encoding.UTF8.GetBytes(json)).ThrowIfFail());
    }

    [Theory]
    [InlineData("""{"range":"10.0.0.0/24"} x""")]
    [InlineData("""{"containerid":"c1"}{""")]
    public void TrailingGarbageIsNotIgnored(string json)
    {
        Assert.True(PoolCodec.Decode("p", Encoding.UTF8.GetBytes(json)).IsFail);
        var result = ReservationCodec.Decode("blue-10.0.0.5", Encoding.UTF8.GetBytes(json));
        Assert.True(result.IsFail);
        result.IfFail(e => Assert.Equal((Errors.CorruptPoolCode, true), (e.Code, e.Message.Contains("blue-10.0.0.5"))));
    }
}
