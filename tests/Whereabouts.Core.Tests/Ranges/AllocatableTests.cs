using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Ranges;

public sealed class AllocatableTests
{
    static Cidr C(string text) => Cidr.Parse(text).ThrowIfFail();

    static Address A(string text) => Address.Parse(text).ThrowIfFail();

    [Fact]
    public void HostBitsInTheRangeAreIgnoredSoTheFirstUsableAddressComesFirst()
    {
        var spec = RangeSpec.Of(C("192.168.2.227/28"));
        var set = Allocatable.Of(spec).ThrowIfFail();
        Assert.Equal("1-14", set.ToString());
        Assert.Equal("192.168.2.225", spec.Network.AddressAt(set.FirstAtOrAfter(0)!.Value).ToString());
    }

    [Theory]
    [InlineData("10.0.0.0/31", "10.0.0.0", "10.0.0.1")]
    [InlineData("fd00::/127", "fd00::", "fd00::1")]
    public void PointToPointLinksUseBothAddresses(string range, string first, string second)
    {
        var spec = RangeSpec.Of(C(range));
        var set = Allocatable.Of(spec).ThrowIfFail();
        Assert.Equal((UInt128)2, set.Count);
        Assert.Equal(first, spec.Network.AddressAt(0).ToString());
        Assert.Equal(second, spec.Network.AddressAt(1).ToString());
        Assert.True(set.Contains(0) && set.Contains(1));
        Assert.True(Allocatable.Of(spec with { Start = A(first), End = A(first) }).ThrowIfFail().Contains(0));
    }

    [Theory]
    [InlineData("10.0.0.7/32", "/31")]
    [InlineData("fd00::7/128", "/127")]
    public void SingleAddressRangesAreErrorsThatSayWhy(string range, string advice)
    {
        var result = Allocatable.Of(RangeSpec.Of(C(range)));
        Assert.True(result.IsFail);
        result.IfFail(e =>
        {
            Assert.Equal(Errors.InvalidConfigCode, e.Code);
            Assert.Contains("single address", e.Message);
            Assert.Contains(advice, e.Message);
        });
    }

    [Fact]
    public void Ipv6DropsTheNetworkAndAllOnesAddressesAsUpstreamDoes()
    {
        var set = Allocatable.Of(RangeSpec.Of(C("fd00::/120"))).ThrowIfFail();
        Assert.Equal("1-254", set.ToString());
    }

    [Fact]
    public void ExcludesAreClippedToTheRangeAndABareAddressExcludesItself()
    {
        var spec = new RangeSpec(C("10.0.0.0/24"), Option<Address>.None, Option<Address>.None,
            [C("10.0.0.0/30"), C("10.0.0.200/32"), C("10.0.0.0/16")]);
        // The /16 covers everything, so nothing is left.
        Assert.True(Allocatable.Of(spec).ThrowIfFail().IsEmpty);
        var narrower = spec with { Exclude = [C("10.0.0.0/30"), C("10.0.0.200/32")] };
        Assert.Equal("4-199,201-254", Allocatable.Of(narrower).ThrowIfFail().ToString());
    }

    [Fact]
    public void TheWholeIpv6SpaceIsAllocatableExceptItsTwoEnds()
    {
        var set = Allocatable.Of(RangeSpec.Of(C("::/0"))).ThrowIfFail();
        Assert.Equal(UInt128.MaxValue - 1, set.Count);
        Assert.Equal($"1-{UInt128.MaxValue - 1}", set.ToString());
    }

    [Fact]
    public void AnExcludeOfTheOtherFamilyIsRejected()
    {
        var spec = RangeSpec.Of(C("10.0.0.0/24")) with { Exclude = [C("fd00::/64")] };
        var result = Allocatable.Of(spec);
        Assert.True(result.IsFail);
        result.IfFail(e => Assert.Contains("same address family", e.Message));
    }
}
