using System.Text;
using System.Text.Json;
using CsCheck;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Cni.Tests;

/// <summary>
/// Whatever the environment and stdin hold, the dispatcher answers: no exception escapes, the exit code is 0
/// or 1, and stdout is empty (a verb with no result) or one JSON object, a result or a CNI error with an
/// integer code and a message; never the internal-error code, which would mean an input we did not foresee.
/// </summary>
public sealed class DispatcherProperties
{
    static readonly string[] Verbs = ["ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION"];

    static readonly string[] IpamKeys =
    [
        "type", "range", "range_start", "range_end", "exclude", "ipRanges", "gateway", "routes", "dns", "addresses",
        "network_name", "enable_overlapping_ranges", "node_slice_size", "configuration_path", "kubernetes",
        "datastore", "etcd_host", "etcd_username", "etcd_password", "file", "log_level",
        "leader_lease_duration", "sleep_for_race", "exlude", "Range", "dir", "kubeconfig", "dst", "gw", "nameservers",
    ];

    static readonly string[] TopKeys = ["cniVersion", "name", "type", "ipam", "runtimeConfig", "prevResult", "cni.dev/valid-attachments", "ips", "address", "containerID", "ifname"];

    /// <summary>Strings a parser may trip on: addresses, CIDRs, ranges, versions, big numbers, control characters, nothing.</summary>
    static readonly Gen<string> Texts = Gen.OneOf(
        Gen.OneOf("", " ", "whereabouts", "file", "kubernetes", "etcd", "1.0.0", "0.4.0", "0.1.0", "1.1.0", "9.9.9",
            "10.0.0.0/24", "10.0.0.0/31", "10.0.0.1/32", "fd00::/64", "fd00::/127", "::/0", "0.0.0.0/0", "10.0.0.5", "fd00::5",
            "10.0.0.5-10.0.0.9/24", "10.0.0.9-10.0.0.5/24", "00192.00168.1.5-000000192.168.1.25/24", "10.0.0.0/33", "fe80::1%eth0/64",
            "/24", "24", "/129", "/var/lib/wb", "relative", "\u0000", "99999999999999999999", "-1", "error", "debug",
            "10.0.0.256", "::ffff:10.0.0.1", "1.2.3", "a/b", "..", "\ud800", "IP=10.0.0.5/999", "x=y;;=z"),
        Gen.String,
        Gen.Char['\0', '\u00ff'].Array[0, 20].Select(cs => new string(cs)));

    static Gen<string> Json(int depth) => depth == 0
        ? Gen.OneOf(Texts.Select(t => JsonSerializer.Serialize(t)), Gen.OneOf("null", "true", "false", "0", "-1", "1e400", "18446744073709551616", "1.5"))
        : Gen.Frequency(
            (4, Json(0)),
            (2, Json(depth - 1).Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (3, Gen.Select(Gen.OneOf(Gen.OneOf(IpamKeys), Gen.OneOf(TopKeys), Gen.String[0, 6]), Json(depth - 1)).Array[0, 6]
                .Select(kvs => "{" + string.Join(",", kvs.Select(kv => JsonSerializer.Serialize(kv.Item1) + ":" + kv.Item2)) + "}")));

    /// <summary>A network configuration: mostly well-formed with arbitrary values in every field, sometimes any text.</summary>
    static readonly Gen<string> Stdin = Gen.Frequency(
        (6, Gen.Select(
                Gen.Select(Gen.OneOf(IpamKeys), Json(2)).Array[0, 8],
                Gen.Select(Gen.OneOf(TopKeys), Json(2)).Array[0, 4],
                Gen.OneOf(Gen.OneOf("\"1.0.0\"", "\"0.3.1\"", "\"1.1.0\"", "\"0.1.0\""), Json(0)),
                Gen.OneOf(Gen.Const("\"net\""), Json(0)))
            .Select(t =>
            {
                var (ipam, top, version, name) = t;
                var ipamText = "{" + string.Join(",", ipam.Select(kv => JsonSerializer.Serialize(kv.Item1) + ":" + kv.Item2).Prepend("\"datastore\":\"file\"").Prepend("\"type\":\"whereabouts\"")) + "}";
                return "{" + string.Join(",", top.Select(kv => JsonSerializer.Serialize(kv.Item1) + ":" + kv.Item2)
                    .Prepend($"\"ipam\":{ipamText}").Prepend($"\"name\":{name}").Prepend($"\"cniVersion\":{version}")) + "}";
            })),
        (1, Json(3)),
        (1, Gen.String));

    static readonly Gen<string?> EnvValue = Gen.Frequency(
        (2, Gen.Const((string?)null)),
        (4, Gen.OneOf<string?>("c1", "net1", "eth0", "/var/run/netns/x", "/opt/cni/bin", "a23456789012345", "a234567890123456", ".", "a b", "x:y", "-c", "c/1")),
        (3, Texts.Select(t => (string?)t)));

    static readonly Gen<string?> CniArgs = Gen.Frequency(
        (1, EnvValue),
        (3, Gen.Select(Gen.OneOf("K8S_POD_NAMESPACE", "K8S_POD_NAME", "IP", "GATEWAY", "IgnoreUnknown", ""), Texts).Array[0, 4]
            .Select(kvs => (string?)string.Join(";", kvs.Select(kv => $"{kv.Item1}={kv.Item2}")))));

    sealed record Case(string? Command, string? ContainerId, string? Netns, string? IfName, string? Path, string? Args, string Stdin)
    {
        public override string ToString() => JsonSerializer.Serialize(this);
    }

    static readonly Gen<Case> Cases =
        from command in Gen.Frequency((6, Gen.OneOf(Verbs).Select(v => (string?)v)), (1, EnvValue))
        from id in EnvValue
        from netns in EnvValue
        from ifName in EnvValue
        from path in Gen.Frequency((4, Gen.Const((string?)"/opt/cni/bin")), (1, EnvValue))
        from args in CniArgs
        from stdin in Stdin
        select new Case(command, id, netns, ifName, path, args, stdin);

    static async Task<(int Code, string Stdout)> Run(Case c)
    {
        var env = new Dictionary<string, string?>
        {
            ["CNI_COMMAND"] = c.Command, ["CNI_CONTAINERID"] = c.ContainerId, ["CNI_NETNS"] = c.Netns,
            ["CNI_IFNAME"] = c.IfName, ["CNI_PATH"] = c.Path, ["CNI_ARGS"] = c.Args,
            ["WHEREABOUTS_RETRY_DEADLINE_MS"] = "200",
        };
        // Every datastore is the in-memory one and no flat file exists: the property is about input, not I/O.
        return await PluginHarness.Once(k => env.GetValueOrDefault(k), c.Stdin, (_, _) => new InMemoryPoolStore(), _ => null);
    }

    [Fact]
    public void NoInputEscapesAsAnExceptionAndStdoutIsAlwaysCniJson() =>
        Cases.Sample(c =>
        {
            var (code, stdout) = Run(c).GetAwaiter().GetResult();
            Assert.True(code is 0 or 1, $"exit code {code}");
            if (code == 0 && stdout.Length == 0) return; // DEL, GC, STATUS succeed silently
            using var json = JsonDocument.Parse(stdout);
            var root = json.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            Assert.True(root.TryGetProperty("cniVersion", out var v) && v.ValueKind == JsonValueKind.String, stdout);
            if (code == 1)
            {
                Assert.True(root.TryGetProperty("code", out var errorCode) && errorCode.ValueKind == JsonValueKind.Number, stdout);
                Assert.True(root.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.String && msg.GetString()!.Length > 0, stdout);
                Assert.True(errorCode.GetInt32() != 999, $"internal error: {stdout}");
            }
        }, iter: 3000);
}
