using System.Collections.Immutable;
using System.Text.Json;
using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using static Whereabouts.Core.Tests.Config.ConfigText;

namespace Whereabouts.Core.Tests.Cni;

/// <summary>The rules of the rendered result and error, checked field by field for every version.</summary>
public sealed class CniRenderingTests
{
    static IpamSettings Settings(string keys) => Parse(Network(keys)).ThrowIfFail();

    static Lease L(string address, string range) => new(Address.Parse(address).ThrowIfFail(), Cidr.Parse(range).ThrowIfFail());

    static readonly ImmutableArray<Lease> DualStack = [L("10.0.0.7", "10.0.0.0/24"), L("fd00::7", "fd00::/64")];

    static JsonElement Render(CniVersion version, ImmutableArray<Lease> leases, IpamSettings settings) =>
        JsonDocument.Parse(ResultRenderer.Render(version, leases, settings)).RootElement;

    public static TheoryData<string> Versions => new(CniVersion.Supported.Map(v => v.ToString()));

    [Theory]
    [MemberData(nameof(Versions))]
    public void TheResultCarriesTheConfiguredVersionAndEveryAddressWithItsRangePrefix(string version)
    {
        var v = CniVersion.Parse(version).ThrowIfFail();
        var root = Render(v, DualStack, Settings("\"range\": \"10.0.0.0/24\""));
        Assert.Equal(version, root.GetProperty("cniVersion").GetString());
        var addresses = v < CniVersion.V030
            ? new[] { root.GetProperty("ip4").GetProperty("ip").GetString() ?? "", root.GetProperty("ip6").GetProperty("ip").GetString() ?? "" }
            : root.GetProperty("ips").EnumerateArray().Select(ip => ip.GetProperty("address").GetString() ?? "").ToArray();
        Assert.Equal(["10.0.0.7/24", "fd00::7/64"], addresses);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void IpVersionFieldsAppearOnlyIn03xAnd040(string version)
    {
        var v = CniVersion.Parse(version).ThrowIfFail();
        var root = Render(v, DualStack, Settings("\"range\": \"10.0.0.0/24\""));
        if (v < CniVersion.V030) return;
        var versions = root.GetProperty("ips").EnumerateArray().Select(ip => ip.TryGetProperty("version", out var f) ? f.GetString() ?? "" : "absent").ToArray();
        Assert.Equal(v < CniVersion.V100 ? ["4", "6"] : ["absent", "absent"], versions);
    }

    [Fact]
    public void TheGatewayGoesOnlyOnAddressesOfItsFamily()
    {
        var root = Render(CniVersion.Latest, DualStack, Settings("\"range\": \"10.0.0.0/24\", \"gateway\": \"10.0.0.1\""));
        var ips = root.GetProperty("ips").EnumerateArray().ToArray();
        Assert.Equal("10.0.0.1", ips[0].GetProperty("gateway").GetString());
        Assert.False(ips[1].TryGetProperty("gateway", out _));
    }

    [Fact]
    public void StaticAddressesFollowTheLeasesWithTheirOwnGateways()
    {
        var root = Render(CniVersion.V040, DualStack, Settings("\"range\": \"10.0.0.0/24\", \"addresses\": [{\"address\": \"192.168.5.5/24\", \"gateway\": \"192.168.5.1\"}]"));
        var last = root.GetProperty("ips").EnumerateArray().Last();
        Assert.Equal("192.168.5.5/24", last.GetProperty("address").GetString());
        Assert.Equal("192.168.5.1", last.GetProperty("gateway").GetString());
        Assert.Equal(3, root.GetProperty("ips").GetArrayLength());
    }

    /// <summary>Upstream's test case: a route's dst keeps its host bits, as CNI's own types keep them.</summary>
    [Theory]
    [InlineData("3ffe:ffff:0:01ff::1/64", "3ffe:ffff:0:1ff::1/64")]
    [InlineData("10.9.8.7/16", "10.9.8.7/16")]
    public void RoutesPassThroughAsWritten(string dst, string rendered)
    {
        var root = Render(CniVersion.V100, DualStack, Settings($"\"range\": \"10.0.0.0/24\", \"routes\": [{{\"dst\": \"{dst}\"}}]"));
        Assert.Equal(rendered, root.GetProperty("routes").EnumerateArray().Single().GetProperty("dst").GetString());
    }

    [Fact]
    public void LegacyResultsSplitRoutesByFamily()
    {
        var root = Render(new CniVersion(0, 2, 0), DualStack, Settings("\"range\": \"10.0.0.0/24\", \"routes\": [{\"dst\": \"0.0.0.0/0\"}, {\"dst\": \"::/0\"}]"));
        Assert.Equal("0.0.0.0/0", root.GetProperty("ip4").GetProperty("routes").EnumerateArray().Single().GetProperty("dst").GetString());
        Assert.Equal("::/0", root.GetProperty("ip6").GetProperty("routes").EnumerateArray().Single().GetProperty("dst").GetString());
        Assert.False(root.TryGetProperty("routes", out _));
    }

    [Fact]
    public void AnIpv4OnlyLegacyResultHasNoIp6Object()
    {
        var root = Render(new CniVersion(0, 1, 0), [L("10.0.0.7", "10.0.0.0/24")], Settings("\"range\": \"10.0.0.0/24\""));
        Assert.True(root.TryGetProperty("ip4", out _));
        Assert.False(root.TryGetProperty("ip6", out _));
    }

    [Fact]
    public void AnInvalidConfigErrorPutsTheProblemsInDetails()
    {
        var error = CniError.From(Errors.InvalidIpam("range: is required; gateway: bad"));
        Assert.Equal(new CniError(Errors.InvalidConfigCode, "invalid IPAM configuration", "range: is required; gateway: bad"), error);
        var root = JsonDocument.Parse(error.Render(CniVersion.V040)).RootElement;
        Assert.Equal(7, root.GetProperty("code").GetInt32());
        Assert.Equal("range: is required; gateway: bad", root.GetProperty("details").GetString());
    }

    [Fact]
    public void ExpectedErrorsKeepTheirCodeAndEverythingElseIsInternal()
    {
        Assert.Equal(Errors.RangeExhaustedCode, CniError.From(Errors.RangeExhausted("r", "a")).Code);
        Assert.Equal(Errors.InternalCode, CniError.From(Error.New(new TimeoutException("slow"))).Code);
        Assert.Equal(Errors.InternalCode, CniError.From(Error.New(5000, "odd")).Code);
        var rendered = JsonDocument.Parse(CniError.From(Error.New(11, "busy")).Render(CniVersion.Latest)).RootElement;
        Assert.False(rendered.TryGetProperty("details", out _));
        Assert.Equal("busy", rendered.GetProperty("msg").GetString());
    }
}
