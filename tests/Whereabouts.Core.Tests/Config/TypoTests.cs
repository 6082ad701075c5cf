using Whereabouts.Core.Config;
using static Whereabouts.Core.Tests.Config.ConfigText;

namespace Whereabouts.Core.Tests.Config;

/// <summary>A misspelt key is refused with the key it was meant to be; other unknown keys stay accepted.</summary>
public sealed class TypoTests
{
    static string MessageOf(string stdin) => Parse(stdin).Match(_ => "", e => $"{e.Code}: {e.Message}");

    [Theory]
    [InlineData("\"range\": \"10.0.0.0/24\", \"exlude\": [\"10.0.0.5\"]", "$.exlude: unknown key \"exlude\": did you mean \"exclude\"?")]
    [InlineData("\"range\": \"10.0.0.0/24\", \"exlcude\": [\"10.0.0.5\"]", "did you mean \"exclude\"?")]
    [InlineData("\"range\": \"10.0.0.0/24\", \"range_strat\": \"10.0.0.5\"", "unknown key \"range_strat\": did you mean \"range_start\"?")]
    [InlineData("\"range\": \"10.0.0.0/24\", \"datastore\": \"file\", \"file\": {\"dri\": \"/tmp/x\"}", "$.file.dri: unknown key \"dri\": did you mean \"dir\"?")]
    [InlineData("\"range\": \"10.0.0.0/24\", \"kubernetes\": {\"kubeconfig\": \"/k\", \"kubconfig\": \"/k\"}", "$.kubernetes.kubconfig: unknown key \"kubconfig\": did you mean \"kubeconfig\"?")]
    [InlineData("\"ipRanges\": [{\"range\": \"10.0.0.0/24\", \"exclud\": [\"10.0.0.5\"]}]", "$.ipRanges[0].exclud: unknown key \"exclud\": did you mean \"exclude\"?")]
    [InlineData("\"range\": \"10.0.0.0/24\", \"ipRange\": []", "did you mean \"ipRanges\"?")]
    [InlineData("\"range\": \"10.0.0.0/24\", \"gatway\": \"10.0.0.1\"", "did you mean \"gateway\"?")]
    public void AKeyWithinATyposDistanceOfAKnownOneIsErrorSevenWithTheSuggestion(string keys, string says)
    {
        var message = MessageOf(Network(keys));
        Assert.StartsWith("7: ", message);
        Assert.Contains(says, message);
    }

    [Theory]
    [InlineData("\"leader_lease_duration\": 1500, \"leader_renew_deadline\": 1000, \"leader_retry_period\": 500, \"sleep_for_race\": 1")]
    [InlineData("\"some_other_tool\": {\"x\": 1}, \"capabilities\": {\"ips\": true}, \"foo\": 1")]
    [InlineData("\"ipRanges\": [{\"range\": \"10.1.0.0/24\", \"comment\": \"lab\"}]")]
    public void UpstreamsIgnoredKeysAndUnrelatedUnknownKeysAreAccepted(string keys)
    {
        var parsed = Parse(Network($"\"range\": \"10.0.0.0/24\", {keys}"));
        Assert.True(parsed.IsSucc, MessageOf(Network($"\"range\": \"10.0.0.0/24\", {keys}")));
    }

    [Fact]
    public void UnknownKeysAreListedForTheVerboseLog()
    {
        var network = ConfigParser.ParseNetwork(Network("\"range\": \"10.0.0.0/24\", \"foo\": 1, \"ipRanges\": [{\"range\": \"10.1.0.0/24\", \"comment\": \"lab\"}]")).ThrowIfFail();
        Assert.Equal(["$.foo", "$.ipRanges[0].comment"], network.Ipam.UnknownKeys);
    }

    [Fact]
    public void AKeyDifferingOnlyInCaseIsReadAsTheKnownKeyAsGosDecoderReadsIt()
    {
        var settings = Parse(Network("\"Range\": \"10.0.0.0/24\", \"Exclude\": [\"10.0.0.1\"], \"Range_Start\": \"10.0.0.1\"")).ThrowIfFail();
        Assert.Equal("10.0.0.0/24 from 10.0.0.1 excluding 10.0.0.1/32", settings.Ranges.Single().ToString());
    }

    static readonly string[] Known =
    [
        "type", "range", "range_start", "range_end", "exclude", "ipRanges", "gateway", "routes", "dns", "addresses",
        "network_name", "enable_overlapping_ranges", "node_slice_size", "configuration_path", "kubernetes",
        "datastore", "etcd_host", "etcd_username", "etcd_password", "etcd_key_file", "etcd_cert_file",
        "etcd_ca_cert_file", "file", "log_file", "log_level", "reconciler_cron_expression",
    ];

    /// <summary>One edit (drop, double or swap a letter) of a known key of five letters or more is always caught and named.</summary>
    [Fact]
    public void OneEditOfAKnownKeyIsCaught() =>
        Gen.Select(Gen.Int[0, Known.Count(k => k.Length >= 5) - 1].Select(n => Known.Where(k => k.Length >= 5).ElementAt(n)), Gen.Int[0, 1000], Gen.Int[0, 2]).Sample(t =>
        {
            var (key, at, edit) = t;
            var i = at % (key.Length - 1);
            var typo = edit switch
            {
                0 => key.Remove(i, 1),
                1 => key.Insert(i, key[i].ToString()),
                _ => key[..i] + key[i + 1] + key[i] + key[(i + 2)..],
            };
            if (typo == key || Known.Contains(typo, StringComparer.OrdinalIgnoreCase)) return true;
            var message = MessageOf(Network($"\"range\": \"10.0.0.0/24\", \"{typo}\": null"));
            return message.StartsWith("7: ", StringComparison.Ordinal) && message.Contains($"unknown key \"{typo}\": did you mean \"", StringComparison.Ordinal);
        });

    [Theory]
    [InlineData("exlude", "exclude", 1)]
    [InlineData("exlcude", "exclude", 1)]
    [InlineData("range_strat", "range_start", 1)]
    [InlineData("abc", "abc", 0)]
    [InlineData("", "dir", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void DistanceCountsInsertionsDeletionsSubstitutionsAndSwaps(string a, string b, int expected) =>
        Assert.Equal(expected, Typos.Distance(a, b));
}
