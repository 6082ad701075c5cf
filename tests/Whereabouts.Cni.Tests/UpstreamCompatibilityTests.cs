using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.Cni.Tests.PluginHarness;

namespace Whereabouts.Cni.Tests;

/// <summary>Upstream's own test configurations through our CNI interface, and the gateway rule where we differ.</summary>
public sealed class UpstreamCompatibilityTests
{
    readonly PluginHarness plugin = new();

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();

    [Fact]
    public async Task TheGatewayIsNeverHandedOut()
    {
        var ipam = """{"type":"whereabouts","range":"10.9.0.0/30","gateway":"10.9.0.1","datastore":"file"}""";
        var first = await plugin.Invoke("ADD", Conf("1.0.0", ipam), "a", pod: "default/a");
        var second = await plugin.Invoke("ADD", Conf("1.0.0", ipam), "b", pod: "default/b");
        Assert.Equal("10.9.0.2/30", AddressOf(first.Stdout));
        Assert.Equal(1, second.ExitCode);
        Assert.Equal(100, JsonNode.Parse(second.Stdout)!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task AskingForTheGatewayIsRefused()
    {
        var ipam = """{"type":"whereabouts","range":"10.9.0.0/29","gateway":"10.9.0.1","datastore":"file"}""";
        var run = await plugin.Invoke("ADD", Conf("1.0.0", ipam), extraArgs: ";IP=10.9.0.1");
        Assert.Equal((1, 102), (run.ExitCode, JsonNode.Parse(run.Stdout)!["code"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("2001:db8:5422:5::-2001:db8:5422:5:7fff:ffff:ffff:ffff/64", "2001:db8:5422:5::1/64")]
    [InlineData("00192.00168.1.5-000000192.168.1.25/24", "192.168.1.5/24")]
    public async Task UpstreamsRangesGiveUpstreamsFirstAddress(string range, string first)
    {
        var run = await plugin.Invoke("ADD", Conf("1.0.0", $$"""{"type":"whereabouts","range":"{{range}}","datastore":"file"}"""));
        Assert.Equal(first, AddressOf(run.Stdout));
    }

    [Fact]
    public async Task ARouteComesBackWithItsHostBits()
    {
        var ipam = """{"type":"whereabouts","range":"2001:db8::/64","datastore":"file","routes":[{"dst":"3ffe:ffff:0:01ff::1/64"}]}""";
        var run = await plugin.Invoke("ADD", Conf("1.0.0", ipam));
        Assert.Equal("3ffe:ffff:0:1ff::1/64", JsonNode.Parse(run.Stdout)!["routes"]![0]!["dst"]!.GetValue<string>());
    }
}
