using static Whereabouts.Core.Tests.Config.ConfigText;

namespace Whereabouts.Core.Tests.Config;

/// <summary>Malformed configurations give the right CNI code and a message that names the offending key.</summary>
public sealed class BadConfigTests
{
    public static TheoryData<string, string, int, string[]> Cases => new()
    {
        { "truncated JSON", """{"cniVersion": "0.3.1", "ipam": {""", Errors.DecodeFailureCode, ["not valid JSON"] },
        { "JSON that is not an object", """["cniVersion"]""", Errors.DecodeFailureCode, ["not a JSON object"] },
        { "unsupported cniVersion", Network("\"range\": \"10.0.0.0/24\"", cniVersion: "0.5.0"), Errors.IncompatibleVersionCode, ["cniVersion", "0.5.0", "1.1.0"] },
        { "no ipam object", """{"cniVersion": "0.3.1", "name": "n", "type": "macvlan"}""", Errors.InvalidConfigCode, ["\"ipam\""] },
        { "ipam that is not an object", """{"cniVersion": "0.3.1", "name": "n", "ipam": "whereabouts"}""", Errors.InvalidConfigCode, ["\"ipam\""] },
        { "range that is not a CIDR", Network("\"range\": \"192.168.2.0/abc\""), Errors.InvalidConfigCode, ["range:", "192.168.2.0/abc"] },
        { "range with a bad address", Network("\"range\": \"300.1.1.0/24\""), Errors.InvalidConfigCode, ["range:", "300.1.1.0"] },
        { "range with prefix /33", Network("\"range\": \"10.0.0.0/33\""), Errors.InvalidConfigCode, ["range:", "/33", "32 bits"] },
        { "IPv6 range with prefix /129", Network("\"range\": \"fd00::/129\""), Errors.InvalidConfigCode, ["range:", "/129"] },
        { "range of a single address", Network("\"range\": \"10.0.0.1/32\""), Errors.InvalidConfigCode, ["range:", "single address"] },
        { "range with a scoped IPv6 address", Network("\"range\": \"fe80::1%eth0/64\""), Errors.InvalidConfigCode, ["range:", "scoped"] },
        { "range of the wrong JSON type", Network("\"range\": 10"), Errors.InvalidConfigCode, ["$.range"] },
        { "exclude entry of the wrong JSON type", Network("\"range\": \"10.0.0.0/24\", \"exclude\": [\"10.0.0.8/29\", 7]"), Errors.InvalidConfigCode, ["$.exclude[1]", "a string", "a number"] },
        { "ipRanges entry that is not an object", Network("\"ipRanges\": [\"10.0.0.0/24\"]"), Errors.InvalidConfigCode, ["$.ipRanges[0]", "an object"] },
        { "nested key of the wrong JSON type", Network("\"ipRanges\": [{\"range\": \"10.0.0.0/24\", \"range_end\": false}]"), Errors.InvalidConfigCode, ["$.ipRanges[0].range_end", "a boolean"] },
        { "enable_overlapping_ranges as a string", Network("\"range\": \"10.0.0.0/24\", \"enable_overlapping_ranges\": \"yes\""), Errors.InvalidConfigCode, ["$.enable_overlapping_ranges", "true or false"] },
        { "every wrong JSON type at once", Network("\"range\": [], \"dns\": \"8.8.8.8\", \"file\": {\"dir\": 1}"), Errors.InvalidConfigCode, ["$.range", "$.dns", "$.file.dir"] },
        { "no range at all", Network(""), Errors.InvalidConfigCode, ["range:", "ipRanges"] },
        { "overlapping ipRanges", Network("\"ipRanges\": [{\"range\": \"10.0.0.0/24\"}, {\"range\": \"10.0.0.128/25\"}]"), Errors.InvalidConfigCode, ["ipRanges:", "10.0.0.128/25 overlaps 10.0.0.0/24"] },
        { "top-level range overlapping ipRanges", Network("\"range\": \"fd00::/64\", \"ipRanges\": [{\"range\": \"fd00::/48\"}]"), Errors.InvalidConfigCode, ["ipRanges:", "overlaps"] },
        { "ipRanges entry without range", Network("\"ipRanges\": [{\"range\": \"10.0.0.0/24\"}, {\"range_start\": \"10.0.1.5\"}]"), Errors.InvalidConfigCode, ["ipRanges[1].range:", "required"] },
        { "range_start outside the range", Network("\"range\": \"10.0.0.0/24\", \"range_start\": \"10.0.1.5\""), Errors.InvalidConfigCode, ["range_start", "10.0.1.5", "outside"] },
        { "range_end on the broadcast address", Network("\"range\": \"10.0.0.0/24\", \"range_end\": \"10.0.0.255\""), Errors.InvalidConfigCode, ["range_end", "broadcast"] },
        { "range_end before range_start", Network("\"range\": \"10.0.0.0/24\", \"range_start\": \"10.0.0.50\", \"range_end\": \"10.0.0.20\""), Errors.InvalidConfigCode, ["range_start 10.0.0.50", "range_end 10.0.0.20", "swap"] },
        { "range_start that is not an address", Network("\"range\": \"10.0.0.0/24\", \"range_start\": \"10.0.0\""), Errors.InvalidConfigCode, ["range_start:", "10.0.0"] },
        { "ipRanges range_start outside", Network("\"ipRanges\": [{\"range\": \"fd00::/64\", \"range_start\": \"fd01::1\"}]"), Errors.InvalidConfigCode, ["range_start fd01::1", "outside"] },
        { "dash form with a start outside", Network("\"range\": \"10.0.1.5-10.0.0.20/24\""), Errors.InvalidConfigCode, ["range_start 10.0.1.5", "outside"] },
        { "unknown datastore", Network("\"range\": \"10.0.0.0/24\", \"datastore\": \"consul\""), Errors.InvalidConfigCode, ["datastore:", "consul"] },
        { "etcd without etcd_host", Network("\"range\": \"10.0.0.0/24\", \"datastore\": \"etcd\""), Errors.InvalidConfigCode, ["etcd_host:"] },
        { "kubernetes without kubeconfig", """{"cniVersion": "0.3.1", "name": "n", "ipam": {"type": "whereabouts", "range": "10.0.0.0/24"}}""", Errors.InvalidConfigCode, ["kubernetes.kubeconfig:"] },
        { "exclude that is not a CIDR", Network("\"range\": \"10.0.0.0/24\", \"exclude\": [\"10.0.0.300/32\"]"), Errors.InvalidConfigCode, ["exclude[0]:", "10.0.0.300"] },
        { "exclude outside the range", Network("\"range\": \"10.0.0.0/24\", \"exclude\": [\"10.0.0.8/29\", \"10.1.0.0/16\"]"), Errors.InvalidConfigCode, ["exclude 10.1.0.0/16", "does not overlap"] },
        { "exclude of the other family", Network("\"range\": \"10.0.0.0/24\", \"exclude\": [\"fd00::/64\"]"), Errors.InvalidConfigCode, ["exclude fd00::/64", "family"] },
        { "ipRanges exclude that is not a CIDR", Network("\"ipRanges\": [{\"range\": \"10.0.0.0/24\", \"exclude\": [\"nope\"]}]"), Errors.InvalidConfigCode, ["ipRanges[0].exclude[0]:", "nope"] },
        { "gateway that is not an address", Network("\"range\": \"10.0.0.0/24\", \"gateway\": \"10.0.0.256\""), Errors.InvalidConfigCode, ["gateway:", "10.0.0.256"] },
        { "route without a destination", Network("\"range\": \"10.0.0.0/24\", \"routes\": [{\"gw\": \"10.0.0.1\"}]"), Errors.InvalidConfigCode, ["routes[0].dst:"] },
        { "route with a bad gateway", Network("\"range\": \"10.0.0.0/24\", \"routes\": [{\"dst\": \"0.0.0.0/0\", \"gw\": \"x\"}]"), Errors.InvalidConfigCode, ["routes[0].gw:"] },
        { "static address without a prefix", Network("\"range\": \"10.0.0.0/24\", \"addresses\": [{\"address\": \"10.1.0.5\"}]"), Errors.InvalidConfigCode, ["addresses[0].address:", "prefix"] },
        { "network_name with capitals", Network("\"range\": \"10.0.0.0/24\", \"network_name\": \"Blue_Net\""), Errors.InvalidConfigCode, ["network_name:", "Blue_Net"] },
        { "network_name ending in a dash", Network("\"range\": \"10.0.0.0/24\", \"network_name\": \"blue-\""), Errors.InvalidConfigCode, ["network_name:"] },
        { "another plugin's type", Network("\"range\": \"10.0.0.0/24\"").Replace("\"type\": \"whereabouts\"", "\"type\": \"host-local\""), Errors.InvalidConfigCode, ["type:", "host-local"] },
        { "node_slice_size with the file datastore", Network("\"range\": \"10.0.0.0/16\", \"datastore\": \"file\", \"node_slice_size\": \"/24\""), Errors.InvalidConfigCode, ["node_slice_size:", "kubernetes"] },
        { "node_slice_size that does not split the range", Network("\"range\": \"10.0.0.0/24\", \"node_slice_size\": \"/16\""), Errors.InvalidConfigCode, ["node_slice_size:", "/16 does not split range 10.0.0.0/24"] },
        { "bad node_slice_size", Network("\"range\": \"10.0.0.0/16\", \"node_slice_size\": \"/x\""), Errors.InvalidConfigCode, ["node_slice_size:"] },
        { "bad log_level", Network("\"range\": \"10.0.0.0/24\", \"log_level\": \"chatty\""), Errors.InvalidConfigCode, ["log_level:", "chatty"] },
        { "bad runtimeConfig.ips", Network("\"range\": \"10.0.0.0/24\"").Replace("\"master\": \"eth0\",", "\"master\": \"eth0\", \"runtimeConfig\": {\"ips\": [\"10.0.0.999/24\"]},"), Errors.InvalidConfigCode, ["runtimeConfig.ips", "10.0.0.999"] },
        {
            "several problems at once",
            Network("\"range\": \"10.0.0.0/33\", \"gateway\": \"nope\", \"datastore\": \"consul\", \"network_name\": \"UPPER\", \"exclude\": [\"x\"]"),
            Errors.InvalidConfigCode,
            ["range:", "gateway:", "datastore:", "network_name:", "exclude[0]:"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AMalformedConfigIsRefusedWithTheRightCodeNamingTheKey(string problem, string stdin, int code, string[] mentions)
    {
        var result = Parse(stdin);
        Assert.True(result.IsFail, $"{problem}: the configuration was accepted");
        result.IfFail(e =>
        {
            Assert.True(code == e.Code, $"{problem}: expected code {code}, got {e.Code}: {e.Message}");
            foreach (var m in mentions) Assert.True(e.Message.Contains(m, StringComparison.Ordinal), $"{problem}: \"{m}\" is not in: {e.Message}");
        });
    }

    /// <summary>network_name is checked against upstream's object-name rule, here as the regex it is written as.</summary>
    [Fact]
    public void NetworkNameFollowsTheObjectNameRule() =>
        CsCheck.Gen.String[CsCheck.Gen.OneOf(CsCheck.Gen.Char['a', 'f'], CsCheck.Gen.Char['0', '3'], CsCheck.Gen.Const('-'), CsCheck.Gen.Const('.'), CsCheck.Gen.Const('A'), CsCheck.Gen.Const('_')), 1, 8]
            .Select(s => s.Length > 4 && s[4] == 'f' ? s + new string('a', 200) : s)
            .Sample(name =>
            {
                var model = System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9]([-a-z0-9.]{0,200}[a-z0-9])?$");
                var result = Whereabouts.Core.Tests.Config.ConfigText.Parse(Network($"\"range\": \"10.0.0.0/24\", \"network_name\": \"{name}\""));
                Assert.Equal(model, result.IsSucc);
            });
}
