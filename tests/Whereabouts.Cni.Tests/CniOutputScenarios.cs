using Snapshooter;
using Snapshooter.Xunit;
using Xunit;
using static Whereabouts.Cni.Tests.PluginHarness;

namespace Whereabouts.Cni.Tests;

/// <summary>What the plugin prints, verb by verb and version by version, pinned as snapshots.</summary>
public sealed class CniOutputScenarios
{
    const string DualStack = """
        {"type":"whereabouts","datastore":"file","gateway":"192.168.2.238",
         "ipRanges":[{"range":"192.168.2.225/28"},{"range":"fd00:0:0:10::/64","exclude":["fd00:0:0:10::1/128"]}],
         "routes":[{"dst":"0.0.0.0/0","gw":"192.168.2.238"},{"dst":"::/0"}],
         "dns":{"nameservers":["10.96.0.10"],"search":["svc.cluster.local"]},
         "addresses":[{"address":"172.16.0.9/24","gateway":"172.16.0.1"}]}
        """;

    [Theory]
    [InlineData("0.1.0")]
    [InlineData("0.2.0")]
    [InlineData("0.3.0")]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public async Task AddResultInEveryVersion(string version)
    {
        var run = await new PluginHarness().Invoke("ADD", Conf(version, DualStack));
        Snapshot.Match(new { run.ExitCode, Stdout = run.Stdout.Split('\n') }, SnapshotNameExtension.Create(version));
    }

    [Fact]
    public async Task VersionListsEverySupportedVersion()
    {
        var run = await new PluginHarness().Invoke("VERSION", """{"cniVersion":"0.4.0"}""");
        Snapshot.Match(new { run.ExitCode, Stdout = run.Stdout.Split('\n') });
    }

    [Fact]
    public async Task ErrorsCarryCodeMessageAndDetails()
    {
        var harness = new PluginHarness();
        var runs = new[]
        {
            await harness.Invoke("ADD", Conf("9.9.9", PluginHarness.BlogIpam)),
            await harness.Invoke("ADD", "[]"),
            await harness.Invoke("ADD", Conf("1.0.0", """{"type":"whereabouts","range":"192.168.2.0/24","range_start":"192.168.3.1","exclude":["10.0.0.0/8"],"datastore":"file"}""")),
            await harness.Invoke("ADD", Conf("1.0.0", """{"type":"whereabouts","range":"192.168.2.0/32","datastore":"file"}""")),
            await harness.Invoke("FROB", Conf("1.0.0", PluginHarness.BlogIpam)),
        };
        Snapshot.Match(runs.Select(r => new { r.ExitCode, Stdout = r.Stdout.Split('\n') }).ToArray());
    }
}
