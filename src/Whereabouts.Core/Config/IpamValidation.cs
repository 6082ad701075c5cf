using System.Collections.Immutable;
using System.Globalization;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Config;

/// <summary>
/// Turns the wire DTO into <see cref="IpamSettings"/>, reporting every problem at once, each naming its key
/// and the fix. Where upstream silently ignores a bad value, we refuse it.
/// </summary>
public static class IpamValidation
{
    public const string DefaultFileStoreDir = "/var/lib/cni/whereabouts";

    public static Fin<IpamSettings> Validate(IpamDto dto)
    {
        var p = new Problems();
        if (dto.Type is not null && dto.Type != "whereabouts") p.Add("type", $"is \"{dto.Type}\"; this plugin is \"whereabouts\"");
        var ranges = Ranges(p, dto);
        var gateway = p.TakeOptional("gateway", dto.Gateway, AddressParser.Parse);
        ranges = gateway.Match(g => ranges.Select(r => r.Configured.Contains(g) ? r with { Gateway = g } : r).ToImmutableArray(), () => ranges);
        var routes = Lists.Choose(dto.Routes, (r, i) => Route(p, $"routes[{i}].", r));
        var addresses = Lists.Choose(dto.Addresses, (a, i) => Static(p, $"addresses[{i}].", a));
        var networkName = dto.NetworkName ?? "";
        if (networkName.Length > 0 && !IsObjectNamePrefix(networkName))
            p.Add("network_name", $"\"{networkName}\" cannot prefix Kubernetes object names: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
        var slice = p.TakeOptional("node_slice_size", dto.NodeSliceSize, SliceSize);
        var datastore = Datastore(p, dto);
        slice.IfSome(size => SliceFits(p, size, ranges, datastore));
        var level = LogLevelOf(p, dto.LogLevel);
        if (p.Any) return p.ToError();
        return new IpamSettings(ranges, gateway, routes, DnsOf(dto.Dns), addresses, networkName,
            dto.EnableOverlappingRanges ?? true, slice, datastore.IfNone(new DatastoreSettings.File(DefaultFileStoreDir)),
            dto.LogFile ?? "", level) { ConfigurationPath = dto.ConfigurationPath ?? "" };
    }

    /// <summary>Node slices live in the Kubernetes API, and a slice must be smaller than the range it splits.</summary>
    static void SliceFits(Problems p, int size, ImmutableArray<RangeSpec> ranges, Option<DatastoreSettings> datastore)
    {
        if (datastore.Exists(d => d is not DatastoreSettings.Kubernetes))
            p.Add("node_slice_size", "node slices are assigned in the Kubernetes API (NodeSlicePool), so they need \"datastore\": \"kubernetes\"; remove node_slice_size for the etcd and file datastores");
        if (!ranges.IsEmpty && size <= ranges[0].Range.Prefix)
            p.Add("node_slice_size", $"/{size} does not split range {ranges[0].Configured} (a /{ranges[0].Range.Prefix}); use a longer prefix, e.g. /{Math.Min(ranges[0].Range.Prefix + 8, ranges[0].Range.Family.Bits() - 2)}");
    }

    /// <summary>The top-level range comes first, then ipRanges: one address per entry.</summary>
    static ImmutableArray<RangeSpec> Ranges(Problems p, IpamDto dto)
    {
        var top = string.IsNullOrWhiteSpace(dto.Range)
            ? Option<RangeSpec>.None
            : RangeParser.Parse(p, "", dto.Range, dto.RangeStart, dto.RangeEnd, dto.Exclude);
        var listed = Lists.Choose(dto.IpRanges, (r, i) => RangeParser.Parse(p, $"ipRanges[{i}].", r.Range, r.RangeStart, r.RangeEnd, r.Exclude));
        var ranges = top.Case is RangeSpec first ? listed.Insert(0, first) : listed;
        if (ranges.IsEmpty && !p.Any) p.Add("range", "no range is configured: set \"range\" (e.g. 192.168.2.0/24) or \"ipRanges\"");
        Overlaps(p, ranges);
        return ranges;
    }

    /// <summary>
    /// Each entry gives the interface one address, so entries must not overlap. A sweep over the entries
    /// sorted by first address: an entry overlaps an earlier one iff it starts at or before the furthest end
    /// seen so far (O(n log n); thousands of entries must not cost a pairwise comparison).
    /// </summary>
    static void Overlaps(Problems p, ImmutableArray<RangeSpec> ranges)
    {
        var order = Enumerable.Range(0, ranges.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var (x, y) = (ranges[a].Network, ranges[b].Network);
            return x.Family != y.Family ? x.Family.CompareTo(y.Family)
                : x.Network.Value != y.Network.Value ? x.Network.Value.CompareTo(y.Network.Value)
                : a.CompareTo(b);
        });
        var furthest = -1;
        foreach (var i in order)
        {
            var n = ranges[i].Network;
            if (furthest >= 0 && ranges[furthest].Network.Family == n.Family && n.Network.Value <= Last(ranges[furthest].Network))
            {
                var (later, earlier) = i > furthest ? (i, furthest) : (furthest, i);
                p.Add("ipRanges", $"{ranges[later].Network} overlaps {ranges[earlier].Network}; each entry gives the interface one address, so entries must not overlap");
            }
            if (furthest < 0 || ranges[furthest].Network.Family != n.Family || Last(n) > Last(ranges[furthest].Network)) furthest = i;
        }
    }

    static UInt128 Last(Cidr c) => c.Network.Value + c.HostMask;

    static Option<Route> Route(Problems p, string at, RouteDto r) =>
        from dst in p.Take($"{at}dst", CidrParser.Parse(r.Dst))
        select new Route(dst, p.TakeOptional($"{at}gw", r.Gw, AddressParser.Parse)); // as written, host bits kept, as CNI does

    static Option<StaticAddress> Static(Problems p, string at, StaticAddressDto a) =>
        from cidr in p.Take($"{at}address", CidrParser.Parse(a.Address))
        select new StaticAddress(cidr, p.TakeOptional($"{at}gateway", a.Gateway, AddressParser.Parse));

    static Dns DnsOf(DnsDto? d) => d is null ? Dns.None : new Dns(Lists.Of(d.Nameservers), d.Domain ?? "", Lists.Of(d.Search), Lists.Of(d.Options));

    /// <summary>"/24" or "24", as upstream accepts.</summary>
    static Fin<int> SliceSize(string text)
    {
        var t = text.TrimStart('/');
        return int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 128
            ? n
            : Errors.InvalidConfig($"\"{text}\" is not a prefix length; write it as \"/24\" or \"24\"");
    }

    static Option<DatastoreSettings> Datastore(Problems p, IpamDto dto)
    {
        switch (dto.Datastore ?? "kubernetes")
        {
            case "kubernetes":
                if (string.IsNullOrWhiteSpace(dto.Kubernetes?.Kubeconfig))
                {
                    p.Add("kubernetes.kubeconfig", "is required for the kubernetes datastore: set it inline or in the flat file whereabouts.conf");
                    return Option<DatastoreSettings>.None;
                }
                return new DatastoreSettings.Kubernetes(dto.Kubernetes.Kubeconfig);
            case "etcd":
                var endpoints = (dto.EtcdHost ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray();
                if (endpoints.IsEmpty) { p.Add("etcd_host", "is required for the etcd datastore, e.g. \"127.0.0.1:2379\""); return Option<DatastoreSettings>.None; }
                return new DatastoreSettings.Etcd(endpoints, dto.EtcdUsername ?? "", dto.EtcdPassword ?? "",
                    dto.EtcdKeyFile ?? "", dto.EtcdCertFile ?? "", dto.EtcdCaCertFile ?? "");
            case "file":
                var dir = string.IsNullOrWhiteSpace(dto.File?.Dir) ? DefaultFileStoreDir : dto.File.Dir;
                if (!IsAbsolutePath(dir))
                {
                    p.Add("file.dir", $"\"{Visible(dir)}\" is not a usable directory: give an absolute path (the plugin runs in the runtime's working directory) with no control characters, e.g. \"{DefaultFileStoreDir}\"");
                    return Option<DatastoreSettings>.None;
                }
                return new DatastoreSettings.File(dir);
            default:
                p.Add("datastore", $"\"{dto.Datastore}\" is not a datastore; use \"kubernetes\", \"etcd\" or \"file\"");
                return Option<DatastoreSettings>.None;
        }
    }

    static LogLevel LogLevelOf(Problems p, string? level)
    {
        switch ((level ?? "error").ToLowerInvariant())
        {
            case "" or "error" or "panic": return LogLevel.Error;
            case "verbose": return LogLevel.Verbose;
            case "debug": return LogLevel.Debug;
            default: p.Add("log_level", $"\"{level}\" is not a level; use \"error\", \"verbose\" or \"debug\""); return LogLevel.Error;
        }
    }

    /// <summary>Control characters spelled as \uXXXX, so a message never carries a raw NUL or escape sequence.</summary>
    static string Visible(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>Starts at / and holds no NUL or other control character, which no file name can carry safely.</summary>
    static bool IsAbsolutePath(string path) => path.StartsWith('/') && !path.Any(char.IsControl);

    /// <summary>
    /// ^[a-z0-9]([-a-z0-9.]{0,200}[a-z0-9])?$ : it must leave room in a 253-character object name. A loop, not
    /// a Regex: linking System.Text.RegularExpressions adds its statics to every plugin process's start-up.
    /// </summary>
    static bool IsObjectNamePrefix(string name)
    {
        static bool AlphaNumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
        if (name.Length > 202 || !AlphaNumeric(name[0]) || !AlphaNumeric(name[^1])) return false;
        foreach (var c in name)
            if (!AlphaNumeric(c) && c is not ('-' or '.')) return false;
        return true;
    }
}
