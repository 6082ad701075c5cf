using System.Text.Json;
using LanguageExt;

namespace Whereabouts.Core.Config;

/// <summary>
/// Reads the IPAM object into <see cref="IpamDto"/> key by key, straight from a Utf8JsonReader. Keys match
/// as Go's decoder matches them (exactly, else ignoring case). An unknown key within a typo's distance of a
/// known one is refused with the suggestion (a misspelt "exclude" would hand out the address meant to be
/// excluded); other unknown keys are ignored, as upstream ignores them, and listed in
/// <see cref="IpamDto.UnknownKeys"/>. A known key of the wrong JSON type is refused under its JSON path, all
/// of them in one message; a repeated key counts as its last value.
/// </summary>
/// <remarks>
/// Written by hand rather than with System.Text.Json's deserialiser or a JsonNode tree: under Native AOT the
/// deserialiser builds its metadata by reflection on first use (~2 ms of a plugin run), a JsonNode's string
/// values need a converter whose constructor does the same (~0.25 ms), and JsonDocument sets up the shared
/// array pool's per-core buckets (~0.25 ms). Reading a few hundred bytes token by token costs microseconds.
/// </remarks>
public static class IpamReader
{
    /// <summary>A whole document that must be an IPAM object (the flat file).</summary>
    public static Fin<IpamDto> Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return Errors.InvalidConfig("it is not a JSON object");
            var p = new Problems();
            var dto = Read(ref reader, p, "$");
            while (reader.Read()) { } // the rest must be well-formed too
            return p.Any ? p.ToError() : dto;
        }
        catch (JsonException e)
        {
            return Errors.InvalidConfig($"it is not valid JSON {JsonErrorText.Describe(json, e)}");
        }
        catch (InvalidOperationException)
        {
            return Errors.InvalidConfig($"it is not valid JSON {JsonErrorText.Describe(json, reader.TokenStartIndex, "a string holds an escape that is not text (a lone surrogate)")}");
        }
    }

    /// <summary>The IPAM object the reader is on (StartObject); leaves it on the matching EndObject.</summary>
    internal static IpamDto Read(ref Utf8JsonReader r, Problems p, string path)
    {
        var before = p.Ignored.Count;
        var dto = Fields<IpamDto>(ref r, p, path, IpamKeys, IpamField);
        dto.UnknownKeys = p.Ignored.GetRange(before, p.Ignored.Count - before);
        return dto;
    }

    // The keys of each object, for case-insensitive matching and typo suggestions. Upstream's
    // leader-election and race-testing knobs are known (accepted and ignored), so they are never typos.
    static readonly string[] IpamKeys =
    [
        "type", "range", "range_start", "range_end", "exclude", "ipRanges", "gateway", "routes", "dns", "addresses",
        "network_name", "enable_overlapping_ranges", "node_slice_size", "configuration_path", "kubernetes",
        "datastore", "etcd_host", "etcd_username", "etcd_password", "etcd_key_file", "etcd_cert_file",
        "etcd_ca_cert_file", "file", "log_file", "log_level", "reconciler_cron_expression",
        "leader_lease_duration", "leader_renew_deadline", "leader_retry_period", "sleep_for_race",
    ];
    static readonly string[] RangeKeys = ["range", "range_start", "range_end", "exclude"];
    static readonly string[] KubernetesKeys = ["kubeconfig", "k8s_api_root"];
    static readonly string[] FileKeys = ["dir"];

    /// <summary>Reads the value of one key into the DTO; the reader is on the value and ends on its last token.</summary>
    delegate void Field<T>(ref Utf8JsonReader r, Problems p, string key, string at, T dto);

    static void IpamField(ref Utf8JsonReader r, Problems p, string key, string at, IpamDto dto)
    {
        switch (key)
        {
            case "type": dto.Type = String(ref r, p, at); break;
            case "range": dto.Range = String(ref r, p, at); break;
            case "range_start": dto.RangeStart = String(ref r, p, at); break;
            case "range_end": dto.RangeEnd = String(ref r, p, at); break;
            case "exclude": dto.Exclude = Strings(ref r, p, at); break;
            case "ipRanges": dto.IpRanges = Objects<RangeDto>(ref r, p, at, RangeKeys, RangeField); break;
            case "gateway": dto.Gateway = String(ref r, p, at); break;
            case "routes": dto.Routes = Objects<RouteDto>(ref r, p, at, null, RouteField); break;
            case "dns": dto.Dns = Object<DnsDto>(ref r, p, at, null, DnsField); break;
            case "addresses": dto.Addresses = Objects<StaticAddressDto>(ref r, p, at, null, AddressField); break;
            case "network_name": dto.NetworkName = String(ref r, p, at); break;
            case "enable_overlapping_ranges": dto.EnableOverlappingRanges = Bool(ref r, p, at); break;
            case "node_slice_size": dto.NodeSliceSize = String(ref r, p, at); break;
            case "configuration_path": dto.ConfigurationPath = String(ref r, p, at); break;
            case "kubernetes": dto.Kubernetes = Object<KubernetesDto>(ref r, p, at, KubernetesKeys, KubernetesField); break;
            case "datastore": dto.Datastore = String(ref r, p, at); break;
            case "etcd_host": dto.EtcdHost = String(ref r, p, at); break;
            case "etcd_username": dto.EtcdUsername = String(ref r, p, at); break;
            case "etcd_password": dto.EtcdPassword = String(ref r, p, at); break;
            case "etcd_key_file": dto.EtcdKeyFile = String(ref r, p, at); break;
            case "etcd_cert_file": dto.EtcdCertFile = String(ref r, p, at); break;
            case "etcd_ca_cert_file": dto.EtcdCaCertFile = String(ref r, p, at); break;
            case "file": dto.File = Object<FileStoreDto>(ref r, p, at, FileKeys, FileField); break;
            case "log_file": dto.LogFile = String(ref r, p, at); break;
            case "log_level": dto.LogLevel = String(ref r, p, at); break;
            case "reconciler_cron_expression": dto.ReconcilerCronExpression = String(ref r, p, at); break;
            // Upstream's leader-election and race-testing knobs (leader_*, sleep_for_race) and any other key
            // are accepted so configs keep working, and ignored.
            default: r.Skip(); break;
        }
    }

    static void RangeField(ref Utf8JsonReader r, Problems p, string key, string at, RangeDto dto)
    {
        switch (key)
        {
            case "range": dto.Range = String(ref r, p, at); break;
            case "range_start": dto.RangeStart = String(ref r, p, at); break;
            case "range_end": dto.RangeEnd = String(ref r, p, at); break;
            case "exclude": dto.Exclude = Strings(ref r, p, at); break;
            default: r.Skip(); break;
        }
    }

    static void RouteField(ref Utf8JsonReader r, Problems p, string key, string at, RouteDto dto)
    {
        if (key == "dst") dto.Dst = String(ref r, p, at);
        else if (key == "gw") dto.Gw = String(ref r, p, at);
        else r.Skip();
    }

    static void AddressField(ref Utf8JsonReader r, Problems p, string key, string at, StaticAddressDto dto)
    {
        if (key == "address") dto.Address = String(ref r, p, at);
        else if (key == "gateway") dto.Gateway = String(ref r, p, at);
        else r.Skip();
    }

    static void DnsField(ref Utf8JsonReader r, Problems p, string key, string at, DnsDto dto)
    {
        switch (key)
        {
            case "nameservers": dto.Nameservers = Strings(ref r, p, at); break;
            case "domain": dto.Domain = String(ref r, p, at); break;
            case "search": dto.Search = Strings(ref r, p, at); break;
            case "options": dto.Options = Strings(ref r, p, at); break;
            default: r.Skip(); break;
        }
    }

    static void KubernetesField(ref Utf8JsonReader r, Problems p, string key, string at, KubernetesDto dto)
    {
        if (key == "kubeconfig") dto.Kubeconfig = String(ref r, p, at);
        else if (key == "k8s_api_root") dto.K8sApiRoot = String(ref r, p, at);
        else r.Skip();
    }

    static void FileField(ref Utf8JsonReader r, Problems p, string key, string at, FileStoreDto dto)
    {
        if (key == "dir") dto.Dir = String(ref r, p, at);
        else r.Skip();
    }

    /// <summary>
    /// The object the reader is on, key by key. With <paramref name="keys"/> (the object's known keys), a key
    /// that matches one only ignoring case is read as it (Go's rule), and an unknown one is checked for typos.
    /// </summary>
    static T Fields<T>(ref Utf8JsonReader r, Problems p, string at, string[]? keys, Field<T> field) where T : new()
    {
        var dto = new T();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var key = r.GetString()!;
            r.Read();
            if (keys is not null && Array.IndexOf(keys, key) < 0)
            {
                var folded = Array.Find(keys, k => GoJsonNames.Match(key, k));
                if (folded is not null) key = folded;
                else
                {
                    if (Typos.Nearest(key, keys) is { } meant) p.Add($"{at}.{key}", $"unknown key \"{key}\": did you mean \"{meant}\"?");
                    else p.Ignored.Add($"{at}.{key}");
                    r.Skip();
                    continue;
                }
            }
            field(ref r, p, key, $"{at}.{key}", dto);
        }
        return dto;
    }

    static T? Object<T>(ref Utf8JsonReader r, Problems p, string at, string[]? keys, Field<T> field) where T : class, new() =>
        IsObject(ref r, p, at, nullIsWrong: false) ? Fields(ref r, p, at, keys, field) : null;

    static List<T>? Objects<T>(ref Utf8JsonReader r, Problems p, string at, string[]? keys, Field<T> field) where T : new()
    {
        if (!IsArray(ref r, p, at)) return null;
        var list = new List<T>();
        for (var i = 0; r.Read() && r.TokenType != JsonTokenType.EndArray; i++)
        {
            var item = $"{at}[{i}]";
            if (IsObject(ref r, p, item, nullIsWrong: true)) list.Add(Fields(ref r, p, item, keys, field));
        }
        return list;
    }

    /// <summary>A string value; null (absent) for JSON null; a problem for any other type.</summary>
    static string? String(ref Utf8JsonReader r, Problems p, string at)
    {
        if (r.TokenType == JsonTokenType.String) return r.GetString();
        Wrong(ref r, p, at, "a string");
        return null;
    }

    static bool? Bool(ref Utf8JsonReader r, Problems p, string at)
    {
        if (r.TokenType is JsonTokenType.True or JsonTokenType.False) return r.GetBoolean();
        Wrong(ref r, p, at, "true or false");
        return null;
    }

    static List<string>? Strings(ref Utf8JsonReader r, Problems p, string at)
    {
        if (!IsArray(ref r, p, at)) return null;
        var list = new List<string>();
        for (var i = 0; r.Read() && r.TokenType != JsonTokenType.EndArray; i++)
            if (r.TokenType == JsonTokenType.String) list.Add(r.GetString()!);
            else Wrong(ref r, p, $"{at}[{i}]", "a string", nullIsWrong: true);
        return list;
    }

    /// <summary>True on StartObject; otherwise records the problem and skips the value.</summary>
    static bool IsObject(ref Utf8JsonReader r, Problems p, string at, bool nullIsWrong)
    {
        if (r.TokenType == JsonTokenType.StartObject) return true;
        Wrong(ref r, p, at, "an object", nullIsWrong);
        return false;
    }

    static bool IsArray(ref Utf8JsonReader r, Problems p, string at)
    {
        if (r.TokenType == JsonTokenType.StartArray) return true;
        Wrong(ref r, p, at, "an array");
        return false;
    }

    /// <summary>JSON null for a key means "not set", as upstream reads it; inside an array it is a wrong value.</summary>
    static void Wrong(ref Utf8JsonReader r, Problems p, string at, string expected, bool nullIsWrong = false)
    {
        var found = r.TokenType switch
        {
            JsonTokenType.Null => "null",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            _ => "a boolean",
        };
        r.Skip();
        if (found != "null" || nullIsWrong) p.Add(at, $"must be {expected}, not {found}");
    }
}
