using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Tests.Pools;

/// <summary>IPPool and OverlappingRangeIPReservation names, exactly as upstream spells them (docs/compatibility.md).</summary>
public sealed class NamingTests
{
    [Theory]
    [InlineData("192.168.2.224/28", "", "192.168.2.224-28")]
    [InlineData("192.168.2.227/28", "", "192.168.2.224-28")]
    [InlineData("fd00:0:0:10::/64", "", "fd00-0-0-10---64")]
    [InlineData("fd00:0:0:10::1/64", "", "fd00-0-0-10---64")]
    [InlineData("2001::/116", "", "2001---116")]
    [InlineData("10.0.0.0/8", "blue", "blue-10.0.0.0-8")]
    [InlineData("fd00:0:0:10::/64", "blue", "blue-fd00-0-0-10---64")]
    public void PoolNamesAreTheNormalisedCidrWithDashes(string range, string network, string expected)
    {
        var key = PoolKey.For(Cidr.Parse(range).ThrowIfFail(), network);
        Assert.Equal(expected, key.Name);
        Assert.Equal(expected, key.ToString());
        Assert.Equal(Cidr.Parse(range).ThrowIfFail().Normalised, key.Range);
        Assert.Equal(network, key.Prefix);
    }

    [Theory]
    [InlineData("blue-worker-1-10.0.1.0-24", "10.0.1.0/24", "blue-worker-1")] // a node's slice: network and node
    [InlineData("10.0.1.0-24", "10.0.1.0/24", "")]
    [InlineData("hand-made", "10.0.1.0/24", "")]                              // not of the shape: no network read into it
    [InlineData("-10.0.1.0-24", "10.0.1.0/24", "")]
    public void ThePrefixIsWhatTheNameCarriesBeforeItsRange(string name, string range, string prefix) =>
        Assert.Equal(prefix, new PoolKey(name, Cidr.Parse(range).ThrowIfFail().Normalised).Prefix);

    [Theory]
    [InlineData("10.0.0.5", "", "10.0.0.5")]
    [InlineData("fd00::5", "", "fd00--5")]
    [InlineData("fd00::", "", "fd00--0")]
    [InlineData("fd00:0:0:10::", "", "fd00-0-0-10--0")]
    [InlineData("2001:db8::1:0", "", "2001-db8--1-0")]
    [InlineData("10.0.0.5", "blue", "blue-10.0.0.5")]
    [InlineData("fd00::", "blue", "blue-fd00--0")]
    public void ReservationNamesAreTheAddressWithDashes(string address, string network, string expected)
    {
        var key = ReservationKey.For(Address.Parse(address).ThrowIfFail(), network);
        Assert.Equal(expected, key.Name);
        Assert.Equal(expected, key.ToString());
    }
}
