using System.Net;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Tests.Addresses;

/// <summary>
/// The BCL parsing traps (host bits, legacy IPv4 forms, scopes, mapped addresses), pinned so that a runtime change shows up here first, each
/// next to what our own parser does instead.
/// </summary>
public sealed class BclQuirkTests
{
    [Fact]
    public void IPNetworkTryParseClearsHostBitsOnDotNet10()
    {
        Assert.True(IPNetwork.TryParse("10.0.0.5/24", out var network));
        Assert.Equal("10.0.0.0/24", network.ToString());
    }

    [Fact]
    public void OurCidrParserKeepsTheHostBitsAsWritten()
    {
        var cidr = Cidr.Parse("10.0.0.5/24").ThrowIfFail();
        Assert.Equal("10.0.0.5/24", cidr.ToString());
        Assert.Equal("10.0.0.0", cidr.Network.ToString());
    }

    [Fact]
    public void IPAddressParseReadsALeadingZeroAsOctalButWeReadDecimal()
    {
        Assert.Equal("8.0.0.1", IPAddress.Parse("010.0.0.1").ToString());
        Assert.Equal("10.0.0.1", AddressParser.Parse("010.0.0.1").ThrowIfFail().ToString());
    }

    [Theory]
    [InlineData("10.1", "10.0.0.1")]
    [InlineData("1", "0.0.0.1")]
    [InlineData("0x0A.0.0.1", "10.0.0.1")]
    public void IPAddressParseAcceptsShortAndHexIpv4ButWeRejectThem(string text, string bclReading)
    {
        Assert.Equal(bclReading, IPAddress.Parse(text).ToString());
        var ours = AddressParser.Parse(text);
        Assert.True(ours.IsFail);
        ours.IfFail(e =>
        {
            Assert.Equal(Errors.InvalidConfigCode, e.Code);
            Assert.Contains(text, e.Message);
        });
    }

    [Fact]
    public void IPAddressParseAcceptsAScopedIpv6AddressButWeRejectIt()
    {
        Assert.True(IPAddress.TryParse("fe80::1%eth0", out _) || IPAddress.TryParse("fe80::1%1", out _));
        var ours = AddressParser.Parse("fe80::1%eth0");
        Assert.True(ours.IsFail);
        ours.IfFail(e => Assert.Contains("scoped", e.Message));
        Assert.True(Cidr.Parse("fe80::1%eth0/64").IsFail);
    }

    [Fact]
    public void ShiftingUInt128By128IsANoOpNotZero()
    {
        var shift = 128;
        Assert.Equal(UInt128.MaxValue, UInt128.MaxValue << shift);
        Assert.Equal(UInt128.MaxValue, new Cidr(new Address(IpFamily.V6, 0), 0).HostMask);
        Assert.Equal(UInt128.Zero, new Cidr(new Address(IpFamily.V6, 0), 128).HostMask);
    }

    [Fact]
    public void DefaultIPNetworkIsTheWholeIpv4Space()
    {
        var network = default(IPNetwork);
        Assert.Equal("0.0.0.0/0", network.ToString());
        Assert.True(network.Contains(IPAddress.Parse("203.0.113.9")));
    }

    [Fact]
    public void IPNetworkContainsAnIpv4MappedAddressAndWeNormaliseItToIpv4()
    {
        var mapped = IPAddress.Parse("::ffff:10.0.0.1");
        Assert.True(IPNetwork.Parse("10.0.0.0/8").Contains(mapped));
        var ours = AddressParser.Parse("::ffff:10.0.0.1").ThrowIfFail();
        Assert.Equal(new Address(IpFamily.V4, 0x0A000001), ours);
        Assert.Equal(ours, Address.FromIPAddress(mapped));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("10.0.0")]
    [InlineData("10.0.0.1.2")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0.-1")]
    [InlineData("10.0..1")]
    [InlineData("1000.0.0.1")]
    [InlineData("0256.0.0.1")]
    [InlineData("99999999999999999999999.0.0.1")]
    [InlineData("0x0A.0.0.1")]
    [InlineData("10.1")]
    [InlineData("10.0.0.1/24")]
    [InlineData("fd00::1::2")]
    [InlineData("fd00::g")]
    [InlineData("eth0")]
    public void MalformedAddressesAreConfigErrorsThatQuoteTheText(string text)
    {
        var result = AddressParser.Parse(text);
        Assert.True(result.IsFail, $"\"{text}\" should not parse");
        result.IfFail(e =>
        {
            Assert.Equal(Errors.InvalidConfigCode, e.Code);
            Assert.Contains("not a valid IP address", e.Message);
        });
    }

    [Theory]
    [InlineData("10.0.0.0/33", "/33")]
    [InlineData("fd00::/129", "/129")]
    [InlineData("10.0.0.0/", "prefix")]
    [InlineData("10.0.0.0/-1", "prefix")]
    [InlineData("10.0.0.0/2a", "prefix")]
    [InlineData("10.0.0.0", "/prefix is missing")]
    [InlineData("", "empty")]
    public void MalformedCidrsSayWhatIsWrong(string text, string why)
    {
        var result = Cidr.Parse(text);
        Assert.True(result.IsFail);
        result.IfFail(e => Assert.Contains(why, e.Message));
    }
}
