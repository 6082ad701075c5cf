using System.Collections.Immutable;
using LanguageExt;

namespace Whereabouts.Core.Config;

/// <summary>
/// The flat file (whereabouts.conf, a bare IPAM object) merged under the inline IPAM object, as upstream's
/// mergo merge of its config struct does: an inline value that is absent or zero ("", null, an empty list)
/// takes the file's value; nested objects (kubernetes, dns, file) merge key by key; enable_overlapping_ranges
/// counts only inline.
/// </summary>
public static class FlatFile
{
    /// <summary>Where the plugin looks, in order; the first file that exists wins.</summary>
    public static ImmutableArray<string> SearchPaths(Option<string> inlinePath) =>
        inlinePath.Filter(p => p.Length > 0).ToImmutableArray().AddRange(
            "/etc/kubernetes/cni/net.d/whereabouts.d/whereabouts.conf",
            "/etc/cni/net.d/whereabouts.d/whereabouts.conf",
            "/host/etc/cni/net.d/whereabouts.d/whereabouts.conf");

    public static IpamDto Merge(IpamDto inline, Option<IpamDto> file) => file.Match(f => Merge(inline, f), () => inline);

    static IpamDto Merge(IpamDto i, IpamDto f) => new()
    {
        Type = Or(i.Type, f.Type),
        Range = Or(i.Range, f.Range),
        RangeStart = Or(i.RangeStart, f.RangeStart),
        RangeEnd = Or(i.RangeEnd, f.RangeEnd),
        Exclude = Or(i.Exclude, f.Exclude),
        IpRanges = Or(i.IpRanges, f.IpRanges),
        Gateway = Or(i.Gateway, f.Gateway),
        Routes = Or(i.Routes, f.Routes),
        Dns = i.Dns is null ? f.Dns : f.Dns is null ? i.Dns : new DnsDto
        {
            Nameservers = Or(i.Dns.Nameservers, f.Dns.Nameservers),
            Domain = Or(i.Dns.Domain, f.Dns.Domain),
            Search = Or(i.Dns.Search, f.Dns.Search),
            Options = Or(i.Dns.Options, f.Dns.Options),
        },
        Addresses = Or(i.Addresses, f.Addresses),
        NetworkName = Or(i.NetworkName, f.NetworkName),
        EnableOverlappingRanges = i.EnableOverlappingRanges,
        NodeSliceSize = Or(i.NodeSliceSize, f.NodeSliceSize),
        ConfigurationPath = Or(i.ConfigurationPath, f.ConfigurationPath),
        Kubernetes = i.Kubernetes is null ? f.Kubernetes : f.Kubernetes is null ? i.Kubernetes : new KubernetesDto
        {
            Kubeconfig = Or(i.Kubernetes.Kubeconfig, f.Kubernetes.Kubeconfig),
            K8sApiRoot = Or(i.Kubernetes.K8sApiRoot, f.Kubernetes.K8sApiRoot),
        },
        Datastore = Or(i.Datastore, f.Datastore),
        EtcdHost = Or(i.EtcdHost, f.EtcdHost),
        EtcdUsername = Or(i.EtcdUsername, f.EtcdUsername),
        EtcdPassword = Or(i.EtcdPassword, f.EtcdPassword),
        EtcdKeyFile = Or(i.EtcdKeyFile, f.EtcdKeyFile),
        EtcdCertFile = Or(i.EtcdCertFile, f.EtcdCertFile),
        EtcdCaCertFile = Or(i.EtcdCaCertFile, f.EtcdCaCertFile),
        File = i.File is null ? f.File : f.File is null ? i.File : new FileStoreDto { Dir = Or(i.File.Dir, f.File.Dir) },
        LogFile = Or(i.LogFile, f.LogFile),
        LogLevel = Or(i.LogLevel, f.LogLevel),
        ReconcilerCronExpression = Or(i.ReconcilerCronExpression, f.ReconcilerCronExpression),
    };

    static string? Or(string? inline, string? file) => string.IsNullOrEmpty(inline) ? file : inline;

    static List<T>? Or<T>(List<T>? inline, List<T>? file) => inline is null || inline.Count == 0 ? file : inline;
}
