using Whereabouts.Core.Config;

namespace Whereabouts.Kubectl.Tests;

/// <summary>What check takes from a NAD's spec.config: each whereabouts range, as the plugin's range parser reads it.</summary>
public sealed class NadRangesTests
{
    static string[] Read(string config) => NadRanges.Read(config).Select(r => $"{r.NetworkName}|{r.Range}").ToArray();

    [Fact]
    public void AConfsRangeAndIpRanges() =>
        Assert.Equal(["blue|10.0.0.0/24 from 10.0.0.10 to 10.0.0.20", "blue|fd00::/64 excluding fd00::5/128"], Read("""
            {"type": "macvlan", "ipam": {"type": "whereabouts", "network_name": "blue", "range": "10.0.0.0/24",
             "range_start": "10.0.0.10", "range_end": "10.0.0.20", "ipRanges": [{"range": "fd00::/64", "exclude": ["fd00::5/128"]}]}}
            """));

    [Fact]
    public void AConflistsPlugins() =>
        Assert.Equal(["|10.1.0.0/16 from 10.1.0.5 to 10.1.255.254"], Read("""
            {"name": "n", "plugins": [{"type": "macvlan", "ipam": {"type": "whereabouts", "range": "10.1.0.5-10.1.255.254/16"}}, {"type": "tuning"}]}
            """));

    [Theory]
    [InlineData("""{"type": "macvlan", "ipam": {"type": "host-local", "subnet": "10.0.0.0/24"}}""")]
    [InlineData("""{"type": "macvlan", "ipam": {"type": "whereabouts", "range": "10.0.0.0/16", "node_slice_size": "/24"}}""")]
    [InlineData("""{"type": "macvlan", "ipam": {"type": "whereabouts", "range": "not a range"}}""")]
    [InlineData("not json")]
    [InlineData("")]
    public void NothingElse(string config) => Assert.Empty(Read(config));
}
