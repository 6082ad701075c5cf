using LanguageExt;
using Whereabouts.Core.Slices;

namespace Whereabouts.Core.Tests.Slices;

/// <summary>What a NAD's spec.config asks the node-slice controller for.</summary>
public sealed class NadSlicingTests
{
    static readonly NadRef Nad = new("default", "blue", "uid-1");

    static SliceWish Wish(string config) =>
        NadSlicing.Read(Nad, config).ThrowIfFail().IfNone(() => throw new Xunit.Sdk.XunitException("no wish"));

    static string Error(string config) =>
        NadSlicing.Read(Nad, config).Match(w => throw new Xunit.Sdk.XunitException($"expected a failure, got {w}"), e => e.Message);

    [Fact]
    public void AConfWithNetworkNameAndRangeIsSlicedUnderTheNetworkName()
    {
        var w = Wish("""{"cniVersion":"1.0.0","name":"net-a","type":"macvlan","ipam":{"type":"whereabouts","range":"10.2.0.0/16","network_name":"blue","node_slice_size":"/24"}}""");
        Assert.Equal(("blue", "blue", "10.2.0.0/16", 24), (w.PoolName, w.NetworkName, w.Range.ToString(), w.SliceSize));
        Assert.Equal(Nad, w.Source);
    }

    [Fact]
    public void AConflistsWhereaboutsPluginIsFoundAndThePoolIsNamedAfterTheConflist()
    {
        var w = Wish("""
            {"cniVersion":"1.0.0","name":"tenant-net","plugins":[
              {"type":"bridge","ipam":{"type":"host-local","subnet":"10.9.0.0/16"}},
              {"type":"macvlan","ipam":{"type":"whereabouts","ipRanges":[{"range":"10.3.0.0/20"}],"node_slice_size":"26"}}]}
            """);
        Assert.Equal(("tenant-net", "", "10.3.0.0/20", 26), (w.PoolName, w.NetworkName, w.Range.ToString(), w.SliceSize));
    }

    [Fact]
    public void TheTopLevelRangeComesBeforeIpRangesAsThePluginSlicesIt()
    {
        var w = Wish("""{"name":"n","ipam":{"type":"whereabouts","range":"10.4.0.0/16","ipRanges":[{"range":"10.5.0.0/16"}],"node_slice_size":"/24"}}""");
        Assert.Equal("10.4.0.0/16", w.Range.ToString());
    }

    [Fact]
    public void AStartEndRangeIsSlicedOverItsCidrWithHostBitsCleared()
    {
        var w = Wish("""{"name":"n","ipam":{"type":"whereabouts","range":"10.6.0.10-10.6.3.200/22","node_slice_size":"/24"}}""");
        Assert.Equal("10.6.0.0/22", w.Range.ToString());
    }

    [Fact]
    public void AnIpv6RangeIsSliced()
    {
        var w = Wish("""{"name":"v6","ipam":{"type":"whereabouts","range":"fd00:10::/64","node_slice_size":"/80"}}""");
        Assert.Equal(("fd00:10::/64", 80), (w.Range.ToString(), w.SliceSize));
    }

    [Theory]
    [InlineData("""{"name":"n","ipam":{"type":"host-local","range":"10.0.0.0/16","node_slice_size":"/24"}}""")]
    [InlineData("""{"name":"n","ipam":{"type":"whereabouts","range":"10.0.0.0/16"}}""")]
    [InlineData("""{"name":"n","type":"macvlan"}""")]
    [InlineData("""{"name":"n","plugins":[{"type":"tuning"}]}""")]
    [InlineData("""{"name":"n","ipam":{"type":"whereabouts","range":"10.0.0.0/16","exclud":["10.0.0.1"]}}""")]
    public void ANadWithoutSlicedWhereaboutsAsksForNothing(string config) =>
        Assert.True(NadSlicing.Read(Nad, config).ThrowIfFail().IsNone);

    [Fact]
    public void APoolWithNoNameIsAProblem() =>
        Assert.Contains("network_name", Error("""{"plugins":[{"type":"macvlan","ipam":{"type":"whereabouts","range":"10.0.0.0/16","node_slice_size":"/24"}}]}"""));

    [Theory]
    [InlineData("/16", "does not split")]
    [InlineData("/8", "does not split")]
    [InlineData("/33", "does not split")]
    [InlineData("abc", "not a prefix length")]
    public void ASliceSizeThatDoesNotSplitTheRangeIsAProblem(string size, string why) =>
        Assert.Contains(why, Error($$$"""{"name":"n","ipam":{"type":"whereabouts","range":"10.0.0.0/16","node_slice_size":"{{{size}}}"}}"""));

    [Theory]
    [InlineData("""{"name":"n","ipam":{"type":"whereabouts","node_slice_size":"/24"}}""", "range")]
    [InlineData("""{"name":"n","ipam":{"type":"whereabouts","range":"10.0.0.300/16","node_slice_size":"/24"}}""", "range")]
    [InlineData("""not json""", "not JSON")]
    [InlineData("""[1]""", "not a JSON object")]
    [InlineData("""{"name":"n","ipam":{"type":"whereabouts","range":"10.0.0.0/16","Node_Slice_Size":"/24","exclud":["10.0.0.1"]}}""", "exclud")]
    public void ABrokenSlicedConfigIsAProblemNamingIt(string config, string why)
    {
        var message = Error(config);
        Assert.Contains(why, message);
        Assert.Contains("default/blue", message);
    }
}
