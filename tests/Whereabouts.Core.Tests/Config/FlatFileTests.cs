using System.Text;
using LanguageExt;
using Whereabouts.Core.Config;
using static Whereabouts.Core.Tests.Config.ConfigText;

namespace Whereabouts.Core.Tests.Config;

/// <summary>The flat file merged under the inline IPAM object, as upstream's mergo merge of its config struct does.</summary>
public sealed class FlatFileTests
{
    static IpamDto Read(string json) => IpamReader.Read(Encoding.UTF8.GetBytes(json)).ThrowIfFail();

    static IpamDto Merge(string inline, string file) => FlatFile.Merge(Read(inline), Read(file));

    [Fact]
    public void AnInlineValueThatIsSetWins()
    {
        var merged = Merge("""{"range":"10.0.0.0/24","gateway":"10.0.0.1"}""", """{"range":"192.168.0.0/16","gateway":"192.168.0.1"}""");
        Assert.Equal(("10.0.0.0/24", "10.0.0.1"), (merged.Range, merged.Gateway));
    }

    [Fact]
    public void ZeroValuedOrAbsentInlineKeysAreFilledFromTheFile()
    {
        var merged = Merge("""{"range":"","exclude":[],"log_level":null,"node_slice_size":"/28","etcd_host":"e:2379","addresses":[]}""",
                           """{"range":"192.168.0.0/16","exclude":["192.168.0.0/30"],"log_level":"debug","node_slice_size":"/24","addresses":[{"address":"10.1.0.1/24"}],"datastore":"etcd"}""");
        Assert.Equal("192.168.0.0/16", merged.Range);
        Assert.Equal(["192.168.0.0/30"], merged.Exclude!);
        Assert.Equal("debug", merged.LogLevel);
        Assert.Equal("/28", merged.NodeSliceSize);
        Assert.Equal("e:2379", merged.EtcdHost);
        Assert.Equal("10.1.0.1/24", Assert.Single(merged.Addresses!).Address);
        Assert.Equal("etcd", merged.Datastore);
    }

    [Fact]
    public void NestedObjectsMergeKeyByKey()
    {
        var merged = Merge("""{"kubernetes":{"k8s_api_root":"https://10.0.0.1"},"dns":{"domain":"a.local"},"file":{}}""",
                           """{"kubernetes":{"kubeconfig":"/etc/kube.conf","k8s_api_root":"https://x"},"dns":{"domain":"b.local","nameservers":["10.0.0.10"]},"file":{"dir":"/d"}}""");
        Assert.Equal(("/etc/kube.conf", "https://10.0.0.1"), (merged.Kubernetes!.Kubeconfig, merged.Kubernetes.K8sApiRoot));
        Assert.Equal("a.local", merged.Dns!.Domain);
        Assert.Equal(["10.0.0.10"], merged.Dns.Nameservers!);
        Assert.Equal("/d", merged.File!.Dir);
    }

    [Fact]
    public void EnableOverlappingRangesCountsOnlyInline()
    {
        Assert.Null(Merge("""{"range":"10.0.0.0/24"}""", """{"enable_overlapping_ranges":false}""").EnableOverlappingRanges);
        Assert.False(Merge("""{"enable_overlapping_ranges":false}""", """{"enable_overlapping_ranges":true}""").EnableOverlappingRanges);
        var settings = Parse(Network("\"range\": \"10.0.0.0/24\""), flatFile: """{"enable_overlapping_ranges": false}""").ThrowIfFail();
        Assert.True(settings.OverlappingRanges);
    }

    [Fact]
    public void AFlatFileCanSupplyTheRangeAndTheKubeconfig()
    {
        var stdin = """{"cniVersion":"0.3.1","name":"n","ipam":{"type":"whereabouts"}}""";
        var settings = Parse(stdin, flatFile: """{"range":"10.5.0.0/16","kubernetes":{"kubeconfig":"/k"},"datastore":"kubernetes"}""").ThrowIfFail();
        Assert.Equal("10.5.0.0/16", settings.Ranges.Single().Network.ToString());
        Assert.Equal(new DatastoreSettings.Kubernetes("/k"), settings.Datastore);
    }

    [Fact]
    public void NoFileChangesNothing()
    {
        var inline = Read("""{"range":""}""");
        Assert.Same(inline, FlatFile.Merge(inline, Option<IpamDto>.None));
    }

    [Fact]
    public void AFlatFileWithAValueOfTheWrongTypeIsRefusedNamingTheKey()
    {
        var result = IpamReader.Read("""{"range": 10, "kubernetes": []}"""u8);
        Assert.True(result.IsFail);
        result.IfFail(e => Assert.Equal((Errors.InvalidConfigCode, true, true), (e.Code, e.Message.Contains("$.range"), e.Message.Contains("$.kubernetes"))));
    }

    [Theory]
    [InlineData("{\"range\": ", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{} {}", "not valid JSON")]
    public void AFlatFileThatIsNotAnObjectIsAnErrorNotAnException(string text, string mentions)
    {
        var result = IpamReader.Read(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsFail);
        result.IfFail(e => Assert.Equal((Errors.InvalidConfigCode, true), (e.Code, e.Message.Contains(mentions))));
    }

    [Fact]
    public void TheInlinePathIsSearchedFirstThenTheThreeUpstreamLocations()
    {
        Assert.Equal(
            ["/custom/whereabouts.conf", "/etc/kubernetes/cni/net.d/whereabouts.d/whereabouts.conf", "/etc/cni/net.d/whereabouts.d/whereabouts.conf", "/host/etc/cni/net.d/whereabouts.d/whereabouts.conf"],
            FlatFile.SearchPaths("/custom/whereabouts.conf").ToArray());
        Assert.Equal(3, FlatFile.SearchPaths(Option<string>.None).Length);
        Assert.Equal(3, FlatFile.SearchPaths("").Length);
    }
}
