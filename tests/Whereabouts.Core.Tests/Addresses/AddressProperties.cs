using System.Globalization;
using System.Net;
using System.Numerics;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Tests.Addresses;

/// <summary>Address formatting, parsing and arithmetic against the BCL and a BigInteger model.</summary>
public sealed class AddressProperties
{
    static readonly BigInteger Two128 = BigInteger.One << 128;

    static BigInteger Big(UInt128 v) => (BigInteger)v;

    static BigInteger MaxOf(IpFamily f) => f == IpFamily.V4 ? uint.MaxValue : Two128 - 1;

    [Fact]
    public void ParsingTheTextOfAnIpv4AddressGivesItBack() =>
        Gens.AddressOf(IpFamily.V4).Sample(a => AddressParser.Parse(a.ToString()).ThrowIfFail() == a);

    [Fact]
    public void ParsingTheTextOfAnIpv6AddressGivesItBack() =>
        Gens.UnmappedV6.Sample(a => AddressParser.Parse(a.ToString()).ThrowIfFail() == a);

    [Fact]
    public void Ipv4TextIsFourDecimalOctetsOfTheValue() =>
        Gens.AddressOf(IpFamily.V4).Sample(a =>
        {
            var v = (uint)a.Value;
            return a.ToString() == string.Join('.', new[] { v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255 }.Select(o => o.ToString(CultureInfo.InvariantCulture)));
        });

    [Fact]
    public void AnyNumberOfLeadingZerosInIpv4OctetsIsDecimalNotOctal() =>
        Gen.Select(Gens.AddressOf(IpFamily.V4), Gen.Int[0, 9].Array[4]).Sample(t =>
        {
            var (a, zeros) = t;
            var v = (uint)a.Value;
            var padded = string.Join('.', new[] { v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255 }
                .Select((o, i) => new string('0', zeros[i]) + o.ToString(CultureInfo.InvariantCulture)));
            return AddressParser.Parse(padded).ThrowIfFail() == a;
        });

    [Fact]
    public void AnAddressSurvivesTheTripThroughIPAddress() =>
        Gen.OneOf<Whereabouts.Core.Addresses.Address>(Gens.AddressOf(IpFamily.V4), Gens.UnmappedV6).Sample(a =>
        {
            var ip = a.ToIPAddress();
            Assert.Equal(a.Family == IpFamily.V4 ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6, ip.AddressFamily);
            Assert.Equal(a, Whereabouts.Core.Addresses.Address.FromIPAddress(ip));
            Assert.Equal(ip, IPAddress.Parse(a.ToString()));
        });

    [Fact]
    public void AnIPAddressSurvivesTheTripThroughAddress() =>
        Gen.Select(Gen.Bool, Gens.AnyU128).Sample(t =>
        {
            var bytes = new byte[t.Item1 ? 4 : 16];
            var full = new byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(full, t.Item2);
            full.AsSpan(16 - bytes.Length).CopyTo(bytes);
            var ip = new IPAddress(bytes);
            if (ip.IsIPv4MappedToIPv6) return;
            Assert.Equal(ip, Whereabouts.Core.Addresses.Address.FromIPAddress(ip).ToIPAddress());
        });

    [Fact]
    public void PlusAddsWithinTheFamilyAndIsNoneBeyondIt() =>
        Gen.Select(Gens.Address, Gens.UpTo(UInt128.MaxValue)).Sample(t =>
        {
            var (a, offset) = t;
            var expected = Big(a.Value) + Big(offset);
            var actual = a.Plus(offset);
            if (expected > MaxOf(a.Family)) Assert.True(actual.IsNone, $"{a} + {offset} should leave the family");
            else Assert.Equal(expected, Big(actual.Map(x => x.Value).IfNone(() => throw new InvalidOperationException("None"))));
            Assert.True(actual.ForAll(x => x.Family == a.Family));
        });

    [Fact]
    public void AddressesOrderByFamilyThenValue() =>
        Gen.Select(Gens.Address, Gens.Address).Sample(t =>
        {
            var (a, b) = t;
            var expected = a.Family != b.Family ? a.Family.CompareTo(b.Family) : Big(a.Value).CompareTo(Big(b.Value));
            return Math.Sign(a.CompareTo(b)) == Math.Sign(expected);
        });
}
