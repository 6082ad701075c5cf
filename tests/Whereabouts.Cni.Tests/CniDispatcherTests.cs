using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.Cni.Tests.PluginHarness;

namespace Whereabouts.Cni.Tests;

public sealed class CniDispatcherTests
{
    readonly PluginHarness plugin = new();

    static string AddressOf(string stdout, int index = 0) =>
        JsonNode.Parse(stdout)!["ips"]![index]!["address"]!.GetValue<string>();

    static int CodeOf(string stdout) => JsonNode.Parse(stdout)!["code"]!.GetValue<int>();

    [Fact]
    public async Task TwoPodsGetTheFirstTwoUsableAddressesOfTheBlogRange()
    {
        var a = await plugin.Invoke("ADD", Conf("0.3.0", BlogIpam), "cid-1", pod: "default/pod-1");
        var b = await plugin.Invoke("ADD", Conf("0.3.0", BlogIpam), "cid-2", pod: "default/pod-2");
        Assert.Equal((0, "192.168.2.225/28"), (a.ExitCode, AddressOf(a.Stdout)));
        Assert.Equal((0, "192.168.2.226/28"), (b.ExitCode, AddressOf(b.Stdout)));
    }

    [Fact]
    public async Task AddIsIdempotentPerPodInterfaceAndTakesOverTheNewContainerId()
    {
        var first = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), "cid-old");
        var again = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), "cid-new");
        Assert.Equal(AddressOf(first.Stdout), AddressOf(again.Stdout));
        // The old sandbox's late DEL must not free the address the new sandbox now holds.
        await plugin.Invoke("DEL", Conf("1.0.0", BlogIpam), "cid-old");
        var other = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), "cid-x", pod: "default/pod-x");
        Assert.NotEqual(AddressOf(first.Stdout), AddressOf(other.Stdout));
    }

    [Fact]
    public async Task DelFreesTheAddressForTheNextPod()
    {
        var a = await plugin.Invoke("ADD", Conf("0.4.0", BlogIpam), "cid-1", pod: "default/pod-1");
        var del = await plugin.Invoke("DEL", Conf("0.4.0", BlogIpam), "cid-1", pod: "default/pod-1");
        var b = await plugin.Invoke("ADD", Conf("0.4.0", BlogIpam), "cid-2", pod: "default/pod-2");
        Assert.Equal((0, ""), (del.ExitCode, del.Stdout));
        Assert.Equal(AddressOf(a.Stdout), AddressOf(b.Stdout));
    }

    [Fact]
    public async Task DelOfSomethingNeverAddedSucceedsAndCreatesNothing()
    {
        var del = await plugin.Invoke("DEL", Conf("1.1.0", BlogIpam), "never");
        Assert.Equal((0, ""), (del.ExitCode, del.Stdout));
        var pool = await plugin.Store.LoadPool(Core.Pools.PoolKey.For(Core.Addresses.Cidr.Parse("192.168.2.224/28").IfFail(default(Core.Addresses.Cidr)), ""), default);
        Assert.False(pool.Exists);
    }

    [Fact]
    public async Task CheckPassesForAHeldAllocationAndFailsForAMissingOne()
    {
        var add = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), "cid-1");
        var withPrev = $$"""{"cniVersion":"1.0.0","name":"testnet","type":"macvlan","ipam":{{BlogIpam}},"prevResult":{{add.Stdout}}}""";
        Assert.Equal(0, (await plugin.Invoke("CHECK", withPrev, "cid-1")).ExitCode);
        var missing = await plugin.Invoke("CHECK", withPrev, "cid-other", pod: "default/other");
        Assert.Equal((1, 103), (missing.ExitCode, CodeOf(missing.Stdout)));
    }

    [Fact]
    public async Task CheckFailsWhenThePreviousResultNamesAnotherAddress()
    {
        await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), "cid-1");
        var wrongPrev = $$$"""{"cniVersion":"1.0.0","name":"testnet","type":"macvlan","ipam":{{{BlogIpam}}},"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"192.168.2.230/28"}]}}""";
        var check = await plugin.Invoke("CHECK", wrongPrev, "cid-1");
        Assert.Equal((1, 104), (check.ExitCode, CodeOf(check.Stdout)));
    }

    [Theory]
    [InlineData("CHECK", "0.3.1")]
    [InlineData("GC", "1.0.0")]
    [InlineData("STATUS", "0.4.0")]
    public async Task AVerbTheConfigVersionPredatesIsErrorOne(string verb, string version)
    {
        var run = await plugin.Invoke(verb, Conf(version, BlogIpam));
        Assert.Equal((1, 1), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains(verb, JsonNode.Parse(run.Stdout)!["msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task GcReleasesExactlyTheAttachmentsNotListedAsValid()
    {
        await plugin.Invoke("ADD", Conf("1.1.0", BlogIpam), "keep", pod: "default/keep");
        await plugin.Invoke("ADD", Conf("1.1.0", BlogIpam), "gone", pod: "default/gone");
        var gc = $$"""{"cniVersion":"1.1.0","name":"testnet","type":"macvlan","ipam":{{BlogIpam}},"cni.dev/valid-attachments":[{"containerID":"keep","ifname":"net1"}]}""";
        Assert.Equal(0, (await plugin.Invoke("GC", gc)).ExitCode);
        var next = await plugin.Invoke("ADD", Conf("1.1.0", BlogIpam), "new", pod: "default/new");
        Assert.Equal("192.168.2.226/28", AddressOf(next.Stdout));
        var kept = await plugin.Invoke("ADD", Conf("1.1.0", BlogIpam), "keep", pod: "default/keep");
        Assert.Equal("192.168.2.225/28", AddressOf(kept.Stdout));
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"cni.dev/valid-attachments\":\"keep\"")]
    [InlineData(",\"cni.dev/valid-attachments\":{\"containerID\":\"keep\",\"ifname\":\"net1\"}")]
    [InlineData(",\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\"}]")]
    [InlineData(",\"cni.dev/valid-attachments\":[{\"container\":\"keep\",\"ifname\":\"net1\"}]")]
    public async Task GcWithAMissingOrMalformedListIsErrorSevenAndReleasesNothing(string member)
    {
        await plugin.Invoke("ADD", Conf("1.1.0", BlogIpam), "keep", pod: "default/keep");
        await plugin.Invoke("ADD", Conf("1.1.0", BlogIpam), "other", pod: "default/other");
        var gc = $$$"""{"cniVersion":"1.1.0","name":"testnet","type":"macvlan","ipam":{{{BlogIpam}}}{{{member}}}}""";
        var run = await plugin.Invoke("GC", gc);
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        var next = await plugin.Invoke("ADD", Conf("1.1.0", BlogIpam), "new", pod: "default/new");
        Assert.Equal("192.168.2.227/28", AddressOf(next.Stdout));
    }

    [Fact]
    public async Task GcOnTheKubernetesStoreWithoutANodeNameReleasesNothingAndSaysWhy()
    {
        var log = Path.Combine(Path.GetTempPath(), $"wb-gc-{Guid.NewGuid():N}.log");
        var kube = $$"""{"type":"whereabouts","range":"192.168.2.225/28","kubernetes":{"kubeconfig":"/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig"},"log_level":"verbose","log_file":"{{log}}"}""";
        await plugin.Invoke("ADD", Conf("1.1.0", kube), "a", pod: "default/a");
        await plugin.Invoke("ADD", Conf("1.1.0", kube), "b", pod: "default/b");
        var gc = await plugin.Invoke("GC", $$"""{"cniVersion":"1.1.0","name":"testnet","type":"macvlan","ipam":{{kube}},"cni.dev/valid-attachments":[]}""");
        Assert.Equal((0, ""), (gc.ExitCode, gc.Stdout));
        Assert.Contains("GC releases nothing: this node's name is unknown", File.ReadAllText(log));
        File.Delete(log);
        var next = await plugin.Invoke("ADD", Conf("1.1.0", kube), "c", pod: "default/c");
        Assert.Equal("192.168.2.227/28", AddressOf(next.Stdout));
    }

    [Fact]
    public async Task StatusSucceedsWhenTheStoreAnswers()
    {
        var status = await plugin.Invoke("STATUS", Conf("1.1.0", BlogIpam));
        Assert.Equal((0, ""), (status.ExitCode, status.Stdout));
    }

    [Fact]
    public async Task ExhaustedRangeIsErrorHundredNamingTheRange()
    {
        var ipam = """{"type":"whereabouts","range":"10.9.0.0/30","datastore":"file"}""";
        Assert.Equal(0, (await plugin.Invoke("ADD", Conf("0.3.1", ipam), "a", pod: "default/a")).ExitCode);
        Assert.Equal(0, (await plugin.Invoke("ADD", Conf("0.3.1", ipam), "b", pod: "default/b")).ExitCode);
        var full = await plugin.Invoke("ADD", Conf("0.3.1", ipam), "c", pod: "default/c");
        Assert.Equal((1, 100), (full.ExitCode, CodeOf(full.Stdout)));
        Assert.Contains("10.9.0.0/30", full.Stdout);
    }

    [Fact]
    public async Task RequestedAddressesFromRuntimeConfigAndCniArgsAreHonouredAndTracked()
    {
        var conf = """{"cniVersion":"1.0.0","name":"testnet","type":"macvlan","runtimeConfig":{"ips":["192.168.2.230/28"]},"ipam":{"type":"whereabouts","range":"192.168.2.225/28","datastore":"file"}}""";
        var viaCaps = await plugin.Invoke("ADD", conf, "a", pod: "default/a");
        Assert.Equal("192.168.2.230/28", AddressOf(viaCaps.Stdout));
        var viaArgs = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), "b", pod: "default/b", extraArgs: ";IP=192.168.2.231/28");
        Assert.Equal("192.168.2.231/28", AddressOf(viaArgs.Stdout));
        var taken = await plugin.Invoke("ADD", conf, "c", pod: "default/c");
        Assert.Equal((1, 101), (taken.ExitCode, CodeOf(taken.Stdout)));
    }

    [Fact]
    public async Task FlatFileSuppliesWhatTheInlineConfigLeavesOut()
    {
        plugin.Files["/etc/cni/net.d/whereabouts.d/whereabouts.conf"] = """{"range":"10.1.0.0/24","datastore":"file","gateway":"10.1.0.254"}""";
        var add = await plugin.Invoke("ADD", Conf("0.3.0", """{"type":"whereabouts"}"""));
        Assert.Equal("10.1.0.1/24", AddressOf(add.Stdout));
        Assert.Equal("10.1.0.254", JsonNode.Parse(add.Stdout)!["ips"]![0]!["gateway"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnInlinePathWinsOverTheStandardFlatFileLocations()
    {
        // The admin's flat file allows /custom (a NAD may name flat files only where the admin allows).
        plugin.Files["/etc/cni/net.d/whereabouts.d/whereabouts.conf"] = """{"range":"10.1.0.0/24","datastore":"file","allowed_configuration_dirs":["/custom"]}""";
        plugin.Files["/custom/wb.conf"] = """{"range":"10.2.0.0/24","datastore":"file"}""";
        var add = await plugin.Invoke("ADD", Conf("0.3.0", """{"type":"whereabouts","configuration_path":"/custom/wb.conf"}"""));
        Assert.Equal("10.2.0.1/24", AddressOf(add.Stdout));
    }

    [Fact]
    public async Task AnInlinePathOutsideTheAllowedDirectoriesIsRefusedNamingTheKeyToChange()
    {
        plugin.Files["/etc/cni/net.d/whereabouts.d/whereabouts.conf"] = """{"range":"10.1.0.0/24","datastore":"file"}""";
        plugin.Files["/custom/wb.conf"] = """{"range":"10.2.0.0/24","datastore":"file"}""";
        var add = await plugin.Invoke("ADD", Conf("0.3.0", """{"type":"whereabouts","configuration_path":"/custom/wb.conf"}"""));
        Assert.Equal((1, 7), (add.ExitCode, CodeOf(add.Stdout)));
        var error = JsonNode.Parse(add.Stdout)!;
        var text = $"{error["msg"]} {error["details"]}";
        Assert.Contains("configuration_path \"/custom/wb.conf\" is not allowed", text);
        Assert.Contains("allowed_configuration_dirs", text);
    }

    [Fact]
    public async Task MissingEnvironmentIsErrorFourNamingTheVariables()
    {
        var run = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), env: new() { ["CNI_NETNS"] = "", ["CNI_IFNAME"] = "" });
        Assert.Equal((1, 4), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains("CNI_NETNS", run.Stdout);
        Assert.Contains("CNI_IFNAME", run.Stdout);
    }

    [Fact]
    public async Task UndecodableStdinIsErrorSix()
    {
        var run = await plugin.Invoke("ADD", "{not json");
        Assert.Equal((1, 6), (run.ExitCode, CodeOf(run.Stdout)));
    }

    [Fact]
    public async Task InvalidConfigIsErrorSevenListingEveryProblem()
    {
        var run = await plugin.Invoke("ADD", Conf("1.0.0", """{"type":"whereabouts","range":"10.0.0.0/33","gateway":"nope","datastore":"cloud"}"""));
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        var details = JsonNode.Parse(run.Stdout)!["details"]!.GetValue<string>();
        Assert.Contains("range", details);
        Assert.Contains("gateway", details);
        Assert.Contains("datastore", details);
    }

    [Fact]
    public async Task NothingButErrorsReachStderrByDefault()
    {
        var ok = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam));
        Assert.Equal("", ok.Stderr);
    }

    [Fact]
    public async Task LogFileReceivesVerboseLinesWhenAsked()
    {
        var log = Path.Combine(Path.GetTempPath(), $"wb-log-{Guid.NewGuid():N}.log");
        var ipam = $$"""{"type":"whereabouts","range":"192.168.2.225/28","datastore":"file","log_file":"{{log}}","log_level":"verbose"}""";
        await plugin.Invoke("ADD", Conf("1.0.0", ipam));
        var text = File.ReadAllText(log);
        Assert.Contains("[verbose]", text);
        Assert.Contains("ADD default/pod-1 (net1): 192.168.2.225/28", text);
        Assert.DoesNotContain("[debug]", text);
        File.Delete(log);
    }

    [Theory]
    [InlineData("debug", true, true)]
    [InlineData("error", false, false)]
    public async Task LogLevelsGateVerboseAndDebugLines(string level, bool verbose, bool debug)
    {
        var log = Path.Combine(Path.GetTempPath(), $"wb-log-{Guid.NewGuid():N}.log");
        var ipam = $$"""{"type":"whereabouts","range":"192.168.2.225/28","datastore":"file","log_file":"{{log}}","log_level":"{{level}}"}""";
        await plugin.Invoke("ADD", Conf("1.0.0", ipam));
        var text = File.Exists(log) ? File.ReadAllText(log) : "";
        Assert.Equal((verbose, debug), (text.Contains("[verbose]"), text.Contains("[debug]")));
        if (debug) Assert.Contains("→ Applied", text); // the store operations, formatted only at debug
        File.Delete(log);
    }
}
