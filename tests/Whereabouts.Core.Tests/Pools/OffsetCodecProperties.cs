using System.Globalization;
using System.Numerics;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Tests.Pools;

/// <summary>IPPool allocation keys against a BigInteger model.</summary>
public sealed class OffsetCodecProperties
{
    static readonly BigInteger Two64 = BigInteger.One << 64;
    static readonly BigInteger Two128 = BigInteger.One << 128;

    static readonly Gen<UInt128> Offsets = Gens.Offset;

    [Fact]
    public void ParsingAFormattedOffsetGivesItBack() =>
        Offsets.Sample(o => OffsetCodec.Parse(OffsetCodec.Format(o)).ThrowIfFail() == o);

    [Fact]
    public void AnOffsetIsWrittenAsAPlainNonNegativeDecimal() =>
        Offsets.Sample(o => OffsetCodec.Format(o) == ((BigInteger)o).ToString(CultureInfo.InvariantCulture));

    [Fact]
    public void ANegativeInt64KeyMeansTwoToThe64PlusTheKey() =>
        Gen.Long[long.MinValue, -1].Sample(k =>
            (BigInteger)OffsetCodec.Parse(k.ToString(CultureInfo.InvariantCulture)).ThrowIfFail() == Two64 + k);

    [Fact]
    public void AnyDecimalBelow2To128IsReadAsItselfAndAboveItIsRejected() =>
        Gen.Select(Gens.AnyU128, Gen.Int[0, 3]).Sample(t =>
        {
            var n = (BigInteger)t.Item1 + t.Item2 * Two128; // below 2^128 a quarter of the time
            var parsed = OffsetCodec.Parse(n.ToString(CultureInfo.InvariantCulture));
            return n < Two128 ? parsed.Map(v => (BigInteger)v == n).IfFail(false) : parsed.IsFail;
        });

    [Fact]
    public void TextThatIsNotADecimalOffsetIsRejectedAsACorruptPool() =>
        Gens.GarbageOffsetKey.Sample(key =>
        {
            var parsed = OffsetCodec.Parse(key);
            Assert.True(parsed.IsFail, $"\"{key}\" was accepted as {parsed}");
            parsed.IfFail(e => Assert.Equal(Errors.CorruptPoolCode, e.Code));
        });

    [Fact]
    public void UpstreamSeesOnlyOffsetsBelow2To63() =>
        Offsets.Sample(o => OffsetCodec.IsVisibleToUpstream(o) == ((BigInteger)o < BigInteger.One << 63));

    [Theory]
    [InlineData("-3844666706890850303", "14602077366818701313")]
    [InlineData("-1", "18446744073709551615")]
    [InlineData("-9223372036854775808", "9223372036854775808")]
    [InlineData("-0", "0")]
    [InlineData("007", "7")]
    [InlineData("340282366920938463463374607431768211455", "340282366920938463463374607431768211455")]
    public void KeysUpstreamWroteAreRead(string key, string offset) =>
        Assert.Equal(offset, OffsetCodec.Format(OffsetCodec.Parse(key).ThrowIfFail()));
}
