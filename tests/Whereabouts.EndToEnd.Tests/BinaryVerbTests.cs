using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>Every verb through the published AOT binary, on the file datastore.</summary>
public sealed class BinaryVerbTests : IDisposable
{
    readonly TempDir store = new();

    public void Dispose() => store.Dispose();

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();
    static int CodeOf(string stdout) => JsonNode.Parse(stdout)!["code"]!.GetValue<int>();

    [Theory]
    [InlineData("0.1.0")]
    [InlineData("0.2.0")]
    [InlineData("0.3.0")]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public async Task AddThenDelInEveryVersion(string version)
    {
        var add = await Run("ADD", Conf(version, FileIpam(store.Path)));
        Assert.Equal(0, add.ExitCode);
        var result = JsonNode.Parse(add.Stdout)!;
        Assert.Equal(version, result["cniVersion"]!.GetValue<string>());
        var address = version is "0.1.0" or "0.2.0" ? result["ip4"]!["ip"]!.GetValue<string>() : AddressOf(add.Stdout);
        Assert.Equal("192.168.2.225/28", address);
        Assert.Single(StoredPools.Allocations(store.Path, "192.168.2.224-28"));
        var del = await Run("DEL", Conf(version, FileIpam(store.Path)));
        Assert.Equal((0, ""), (del.ExitCode, del.Stdout));
        Assert.Empty(StoredPools.Allocations(store.Path, "192.168.2.224-28"));
        Assert.Empty(StoredPools.ReservationNames(store.Path));
    }

    [Fact]
    public async Task CheckGcAndStatusWorkOnTheRealBinary()
    {
        var conf = Conf("1.1.0", FileIpam(store.Path));
        var add = await Run("ADD", conf, "keep", pod: "default/keep");
        await Run("ADD", conf, "stale", pod: "default/stale");
        var withPrev = $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{FileIpam(store.Path)}},"prevResult":{{add.Stdout}}}""";
        Assert.Equal(0, (await Run("CHECK", withPrev, "keep", pod: "default/keep")).ExitCode);
        Assert.Equal((0, ""), ((await Run("STATUS", conf)).ExitCode, (await Run("STATUS", conf)).Stdout));
        var gc = $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{FileIpam(store.Path)}},"cni.dev/valid-attachments":[{"containerID":"keep","ifname":"net1"}]}""";
        Assert.Equal(0, (await Run("GC", gc)).ExitCode);
        Assert.Equal(["keep"], StoredPools.Allocations(store.Path, "192.168.2.224-28").Select(a => a.ContainerId));
        Assert.Equal(["192.168.2.225"], StoredPools.ReservationNames(store.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"cni.dev/valid-attachments\":\"keep\"")]
    [InlineData(",\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":7}]")]
    public async Task GcWithAMissingOrMalformedListIsErrorSevenAndReleasesNothing(string member)
    {
        var conf = Conf("1.1.0", FileIpam(store.Path));
        await Run("ADD", conf, "keep", pod: "default/keep");
        await Run("ADD", conf, "stale", pod: "default/stale");
        var gc = await Run("GC", $$$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{{FileIpam(store.Path)}}}{{{member}}}}""");
        Assert.Equal((1, 7), (gc.ExitCode, CodeOf(gc.Stdout)));
        Assert.Contains("cni.dev/valid-attachments", gc.Stdout);
        Assert.Equal(["keep", "stale"], StoredPools.Allocations(store.Path, "192.168.2.224-28").Select(a => a.ContainerId).Order());
    }

    [Fact]
    public async Task GcMatchesValidAttachmentKeysAsGosDecoderDoes()
    {
        var conf = Conf("1.1.0", FileIpam(store.Path));
        await Run("ADD", conf, "keep", pod: "default/keep");
        await Run("ADD", conf, "stale", pod: "default/stale");
        var gc = await Run("GC", $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{FileIpam(store.Path)}},"cni.dev/valid-attachments":[{"containerId":"keep","IfName":"net1"}]}""");
        Assert.Equal((0, ""), (gc.ExitCode, gc.Stdout));
        Assert.Equal(["keep"], StoredPools.Allocations(store.Path, "192.168.2.224-28").Select(a => a.ContainerId));
    }

    [Fact]
    public async Task VersionAnswersWithoutAnyConfig()
    {
        var run = await Run("VERSION", """{"cniVersion":"1.0.0"}""");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"],
            JsonNode.Parse(run.Stdout)!["supportedVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task ErrorsAreJsonOnStdoutWithNonZeroExit()
    {
        var bad = await Run("ADD", Conf("1.0.0", """{"type":"whereabouts","range":"10.0.0.0/33","datastore":"file"}"""));
        Assert.Equal((1, 7), (bad.ExitCode, CodeOf(bad.Stdout)));
        var undecodable = await Run("ADD", "{");
        Assert.Equal((1, 6), (undecodable.ExitCode, CodeOf(undecodable.Stdout)));
        var oldCheck = await Run("CHECK", Conf("0.3.0", FileIpam(store.Path)));
        Assert.Equal((1, 1), (oldCheck.ExitCode, CodeOf(oldCheck.Stdout)));
        Assert.Equal("", bad.Stderr);
    }

    [Fact]
    public async Task AnUnwritableStoreIsAClearErrorAndStatusFifty()
    {
        var blocker = System.IO.Path.Combine(store.Path, "not-a-dir");
        await File.WriteAllTextAsync(blocker, "");
        var conf = Conf("1.1.0", FileIpam(System.IO.Path.Combine(blocker, "store")));
        var add = await Run("ADD", conf);
        Assert.Equal((1, 50), (add.ExitCode, CodeOf(add.Stdout)));
        Assert.Contains("file datastore", add.Stdout);
        var status = await Run("STATUS", conf);
        Assert.Equal((1, 50), (status.ExitCode, CodeOf(status.Stdout)));
    }

    [Fact]
    public async Task ACorruptPoolFileIsReportedAndNeverOverwritten()
    {
        Directory.CreateDirectory(System.IO.Path.Combine(store.Path, "pools"));
        var pool = System.IO.Path.Combine(store.Path, "pools", "192.168.2.224-28.json");
        await File.WriteAllTextAsync(pool, "{\"spec\": {\"range\": ");
        var add = await Run("ADD", Conf("1.0.0", FileIpam(store.Path)));
        Assert.Equal(1, add.ExitCode);
        Assert.Contains("192.168.2.224-28", add.Stdout);
        Assert.Equal("{\"spec\": {\"range\": ", await File.ReadAllTextAsync(pool));
    }
}
