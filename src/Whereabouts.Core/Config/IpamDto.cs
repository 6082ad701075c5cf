namespace Whereabouts.Core.Config;

// The wire shape of the IPAM object, key for key as upstream reads it (IpamReader maps each JSON key to
// its property). Plain mutable DTOs, validated into IpamSettings straight away.

public sealed class IpamDto
{
    public string? Type { get; set; }
    public string? Range { get; set; }
    public string? RangeStart { get; set; }
    public string? RangeEnd { get; set; }
    public List<string>? Exclude { get; set; }
    public List<RangeDto>? IpRanges { get; set; }
    public string? Gateway { get; set; }
    public List<RouteDto>? Routes { get; set; }
    public DnsDto? Dns { get; set; }
    public List<StaticAddressDto>? Addresses { get; set; }
    public string? NetworkName { get; set; }
    public bool? EnableOverlappingRanges { get; set; }
    public string? NodeSliceSize { get; set; }
    public string? ConfigurationPath { get; set; }
    public KubernetesDto? Kubernetes { get; set; }
    public string? Datastore { get; set; }
    public string? EtcdHost { get; set; }
    public string? EtcdUsername { get; set; }
    public string? EtcdPassword { get; set; }
    public string? EtcdKeyFile { get; set; }
    public string? EtcdCertFile { get; set; }
    public string? EtcdCaCertFile { get; set; }
    public FileStoreDto? File { get; set; }
    public string? LogFile { get; set; }
    public string? LogLevel { get; set; }
    public string? ReconcilerCronExpression { get; set; }

    /// <summary>JSON paths of the keys that were ignored as unknown (not near any known key), for the verbose log.</summary>
    public List<string> UnknownKeys { get; set; } = [];
}

public sealed class RangeDto
{
    public string? Range { get; set; }
    public string? RangeStart { get; set; }
    public string? RangeEnd { get; set; }
    public List<string>? Exclude { get; set; }
}

public sealed class RouteDto
{
    public string? Dst { get; set; }
    public string? Gw { get; set; }
}

public sealed class DnsDto
{
    public List<string>? Nameservers { get; set; }
    public string? Domain { get; set; }
    public List<string>? Search { get; set; }
    public List<string>? Options { get; set; }
}

public sealed class StaticAddressDto
{
    public string? Address { get; set; }
    public string? Gateway { get; set; }
}

public sealed class KubernetesDto
{
    public string? Kubeconfig { get; set; }
    public string? K8sApiRoot { get; set; }
}

public sealed class FileStoreDto
{
    public string? Dir { get; set; }
}
