using System.Text.Json.Nodes;
using LanguageExt;
using Whereabouts.Core.Config;
using static Whereabouts.Core.Tests.Config.ConfigText;

namespace Whereabouts.Core.Tests.Config;

/// <summary>The flat file merged under the inline IPAM object, as upstream's mergo merge does.</summary>
public sealed class FlatFileTests
{
    static JsonObject O(string json) => (JsonObject)JsonNode.Parse(json)!;

    static string Merge(string inline, string file) => FlatFile.Merge(O(inline), O(file)).ToJsonString();

    [Fact]
    public void AnInlineValueThatIsSetWins() =>
        Assert.Equal("""{"range":"10.0.0.0/24","gateway":"10.0.0.1"}""",
            Merge("""{"range":"10.0.0.0/24","gateway":"10.0.0.1"}""", """{"range":"192.168.0.0/16","gateway":"192.168.0.1"}"""));

    [Fact]
    public void ZeroValuedOrAbsentInlineKeysAreFilledFromTheFile() =>
        Assert.Equal("""{"range":"192.168.0.0/16","exclude":["192.168.0.0/30"],"log_level":"debug","node_slice_size":"/28","etcd_host":"e:2379","addresses":[{"address":"10.1.0.1/24"}],"datastore":"etcd"}""",
            Merge("""{"range":"","exclude":[],"log_level":null,"node_slice_size":"/28","etcd_host":"e:2379","addresses":[]}""",
                  """{"range":"192.168.0.0/16","exclude":["192.168.0.0/30"],"log_level":"debug","node_slice_size":"/24","addresses":[{"address":"10.1.0.1/24"}],"datastore":"etcd"}"""));

    [Fact]
    public void NestedKubernetesSettingsMergeKeyByKey() =>
        Assert.Equal("""{"kubernetes":{"k8s_api_root":"https://10.0.0.1","kubeconfig":"/etc/kube.conf"}}""",
            Merge("""{"kubernetes":{"k8s_api_root":"https://10.0.0.1"}}""", """{"kubernetes":{"kubeconfig":"/etc/kube.conf","k8s_api_root":"https://x"}}"""));

    [Fact]
    public void EnableOverlappingRangesCountsOnlyInline()
    {
        Assert.Equal("""{"range":"10.0.0.0/24"}""", Merge("""{"range":"10.0.0.0/24"}""", """{"enable_overlapping_ranges":false}"""));
        Assert.Equal("""{"enable_overlapping_ranges":false}""", Merge("""{"enable_overlapping_ranges":false}""", """{"enable_overlapping_ranges":true}"""));
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
    public void MergingLeavesTheInlineObjectUntouchedAndNoFileChangesNothing()
    {
        var inline = O("""{"range":""}""");
        FlatFile.Merge(inline, O("""{"range":"10.0.0.0/8"}"""));
        Assert.Equal("""{"range":""}""", inline.ToJsonString());
        Assert.Equal("""{"range":""}""", FlatFile.Merge(inline, Option<JsonObject>.None).ToJsonString());
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
