using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Whereabouts.Core.Config;

// The wire shape of the IPAM object, key for key as upstream reads it. Plain mutable DTOs because
// System.Text.Json source generation fills them; they are validated into IpamSettings straight away.

public sealed class IpamDto
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("range")] public string? Range { get; set; }
    [JsonPropertyName("range_start")] public string? RangeStart { get; set; }
    [JsonPropertyName("range_end")] public string? RangeEnd { get; set; }
    [JsonPropertyName("exclude")] public List<string>? Exclude { get; set; }
    [JsonPropertyName("ipRanges")] public List<RangeDto>? IpRanges { get; set; }
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
    [JsonPropertyName("routes")] public List<RouteDto>? Routes { get; set; }
    [JsonPropertyName("dns")] public DnsDto? Dns { get; set; }
    [JsonPropertyName("addresses")] public List<StaticAddressDto>? Addresses { get; set; }
    [JsonPropertyName("network_name")] public string? NetworkName { get; set; }
    [JsonPropertyName("enable_overlapping_ranges")] public bool? EnableOverlappingRanges { get; set; }
    [JsonPropertyName("node_slice_size")] public string? NodeSliceSize { get; set; }
    [JsonPropertyName("configuration_path")] public string? ConfigurationPath { get; set; }
    [JsonPropertyName("kubernetes")] public KubernetesDto? Kubernetes { get; set; }
    [JsonPropertyName("datastore")] public string? Datastore { get; set; }
    [JsonPropertyName("etcd_host")] public string? EtcdHost { get; set; }
    [JsonPropertyName("etcd_username")] public string? EtcdUsername { get; set; }
    [JsonPropertyName("etcd_password")] public string? EtcdPassword { get; set; }
    [JsonPropertyName("etcd_key_file")] public string? EtcdKeyFile { get; set; }
    [JsonPropertyName("etcd_cert_file")] public string? EtcdCertFile { get; set; }
    [JsonPropertyName("etcd_ca_cert_file")] public string? EtcdCaCertFile { get; set; }
    [JsonPropertyName("file")] public FileStoreDto? File { get; set; }
    [JsonPropertyName("log_file")] public string? LogFile { get; set; }
    [JsonPropertyName("log_level")] public string? LogLevel { get; set; }
    // Upstream's leader-election and race-testing knobs: accepted so configs keep working, and ignored.
    [JsonPropertyName("leader_lease_duration")] public JsonNode? LeaderLeaseDuration { get; set; }
    [JsonPropertyName("leader_renew_deadline")] public JsonNode? LeaderRenewDeadline { get; set; }
    [JsonPropertyName("leader_retry_period")] public JsonNode? LeaderRetryPeriod { get; set; }
    [JsonPropertyName("sleep_for_race")] public JsonNode? SleepForRace { get; set; }
    [JsonPropertyName("reconciler_cron_expression")] public string? ReconcilerCronExpression { get; set; }
}

public sealed class RangeDto
{
    [JsonPropertyName("range")] public string? Range { get; set; }
    [JsonPropertyName("range_start")] public string? RangeStart { get; set; }
    [JsonPropertyName("range_end")] public string? RangeEnd { get; set; }
    [JsonPropertyName("exclude")] public List<string>? Exclude { get; set; }
}

public sealed class RouteDto
{
    [JsonPropertyName("dst")] public string? Dst { get; set; }
    [JsonPropertyName("gw")] public string? Gw { get; set; }
}

public sealed class DnsDto
{
    [JsonPropertyName("nameservers")] public List<string>? Nameservers { get; set; }
    [JsonPropertyName("domain")] public string? Domain { get; set; }
    [JsonPropertyName("search")] public List<string>? Search { get; set; }
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
}

public sealed class StaticAddressDto
{
    [JsonPropertyName("address")] public string? Address { get; set; }
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
}

public sealed class KubernetesDto
{
    [JsonPropertyName("kubeconfig")] public string? Kubeconfig { get; set; }
    [JsonPropertyName("k8s_api_root")] public string? K8sApiRoot { get; set; }
}

public sealed class FileStoreDto
{
    [JsonPropertyName("dir")] public string? Dir { get; set; }
}

[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(IpamDto))]
public sealed partial class ConfigJson : JsonSerializerContext;
