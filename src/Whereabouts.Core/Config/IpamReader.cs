using System.Text.Json;
using System.Text.Json.Nodes;
using LanguageExt;

namespace Whereabouts.Core.Config;

/// <summary>
/// Reads the IPAM object into <see cref="IpamDto"/> key by key. Unknown keys are ignored, as upstream ignores
/// them; a known key of the wrong JSON type is refused under its JSON path, all of them in one message.
/// </summary>
/// <remarks>
/// Written by hand rather than with System.Text.Json's source-generated deserialiser: under Native AOT that
/// deserialiser builds its metadata (converters, property tables, a reflection scan for polymorphism
/// attributes) on first use, which cost about 2 ms of every ~8 ms plugin run. Walking the already-parsed
/// <see cref="JsonObject"/> costs microseconds.
/// </remarks>
public static class IpamReader
{
    public static Fin<IpamDto> Read(JsonObject ipam)
    {
        var p = new Problems();
        var o = new Fields(p, "$", ipam);
        var dto = new IpamDto
        {
            Type = o.String("type"),
            Range = o.String("range"),
            RangeStart = o.String("range_start"),
            RangeEnd = o.String("range_end"),
            Exclude = o.Strings("exclude"),
            IpRanges = o.Objects("ipRanges", r => new RangeDto
            {
                Range = r.String("range"),
                RangeStart = r.String("range_start"),
                RangeEnd = r.String("range_end"),
                Exclude = r.Strings("exclude"),
            }),
            Gateway = o.String("gateway"),
            Routes = o.Objects("routes", r => new RouteDto { Dst = r.String("dst"), Gw = r.String("gw") }),
            Dns = o.Object("dns", d => new DnsDto
            {
                Nameservers = d.Strings("nameservers"),
                Domain = d.String("domain"),
                Search = d.Strings("search"),
                Options = d.Strings("options"),
            }),
            Addresses = o.Objects("addresses", a => new StaticAddressDto { Address = a.String("address"), Gateway = a.String("gateway") }),
            NetworkName = o.String("network_name"),
            EnableOverlappingRanges = o.Bool("enable_overlapping_ranges"),
            NodeSliceSize = o.String("node_slice_size"),
            ConfigurationPath = o.String("configuration_path"),
            Kubernetes = o.Object("kubernetes", k => new KubernetesDto { Kubeconfig = k.String("kubeconfig"), K8sApiRoot = k.String("k8s_api_root") }),
            Datastore = o.String("datastore"),
            EtcdHost = o.String("etcd_host"),
            EtcdUsername = o.String("etcd_username"),
            EtcdPassword = o.String("etcd_password"),
            EtcdKeyFile = o.String("etcd_key_file"),
            EtcdCertFile = o.String("etcd_cert_file"),
            EtcdCaCertFile = o.String("etcd_ca_cert_file"),
            File = o.Object("file", f => new FileStoreDto { Dir = f.String("dir") }),
            LogFile = o.String("log_file"),
            LogLevel = o.String("log_level"),
            LeaderLeaseDuration = ipam["leader_lease_duration"],
            LeaderRenewDeadline = ipam["leader_renew_deadline"],
            LeaderRetryPeriod = ipam["leader_retry_period"],
            SleepForRace = ipam["sleep_for_race"],
            ReconcilerCronExpression = o.String("reconciler_cron_expression"),
        };
        return p.Any ? p.ToError() : dto;
    }

    /// <summary>The keys of one JSON object, each read as the type it must have; null means absent.</summary>
    sealed class Fields(Problems problems, string path, JsonObject json)
    {
        // ToString, not GetValue<string>: see JsonText.
        public string? String(string key) => Value(key, JsonValueKind.String, "a string", v => v.ToString());

        public bool? Bool(string key) => json[key] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
            JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
            var other => Wrong(key, "true or false", other, (bool?)null),
        };

        public List<string>? Strings(string key) =>
            List(key, (item, at) => JsonText.StringOf(item) is { } s
                ? s
                : Wrong(at, "a string", item, (string?)null));

        public List<T>? Objects<T>(string key, Func<Fields, T> read) where T : class =>
            List(key, (item, at) => item is JsonObject o ? read(new Fields(problems, $"{path}.{at}", o)) : Wrong(at, "an object", item, (T?)null));

        public T? Object<T>(string key, Func<Fields, T> read) where T : class => json[key] switch
        {
            null => null,
            JsonObject o => read(new Fields(problems, $"{path}.{key}", o)),
            var other => Wrong(key, "an object", other, (T?)null),
        };

        List<T>? List<T>(string key, Func<JsonNode?, string, T?> item) where T : class
        {
            switch (json[key])
            {
                case null: return null;
                case JsonArray a:
                    var list = new List<T>(a.Count);
                    for (var i = 0; i < a.Count; i++)
                        if (item(a[i], $"{key}[{i}]") is { } t) list.Add(t);
                    return list;
                case var other: return Wrong(key, "an array", other, (List<T>?)null);
            }
        }

        T? Value<T>(string key, JsonValueKind kind, string expected, Func<JsonValue, T> get) where T : class => json[key] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == kind => get(v),
            var other => Wrong(key, expected, other, (T?)null),
        };

        T Wrong<T>(string key, string expected, JsonNode? found, T fallback)
        {
            problems.Add($"{path}.{key}", $"must be {expected}, not {KindOf(found)}");
            return fallback;
        }

        static string KindOf(JsonNode? n) => n?.GetValueKind() switch
        {
            null or JsonValueKind.Null => "null",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => "a boolean",
        };
    }
}
