using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Ranges;
using static LanguageExt.Prelude;

namespace Whereabouts.Core.Requests;

/// <summary>
/// Request resolution, one pure function: the raw inputs become a request or the error the runtime is shown,
/// or stop at an input still to gather (<see cref="InputNeeded"/>). The order of the checks is the order in
/// which errors are reported: environment, configuration JSON, network name, verb against cniVersion, IPAM
/// settings, file-system checks of the paths they name, CNI_ARGS, then the node's slice.
/// </summary>
public static class RequestResolver
{
    public static Fin<Request> Resolve(RawInputs raw)
    {
        var network = raw.Network;
        return from env in CniEnvironment.From(raw.Env)
               from net in network
               from _ in CniEnvironment.CheckNetworkName(net.Name)
               from __ in net.Version < env.Verb.Since
                   ? Errors.IncompatibleVersion($"{env.Verb.Name} is not supported by cniVersion {net.Version}; it needs {env.Verb.Since} or later")
                   : Fin<Unit>.Succ(unit)
               from loaded in IpamLoading.Load(net.Ipam, raw)
               from ___ in Checked(raw, loaded.Named, loaded.Settings.LogFile)
               from asked in env.Verb == CniVerb.Add ? AskedInArgs(env.Args, loaded.Settings) : Fin<(ImmutableArray<Address>, IpamSettings)>.Succ((ImmutableArray<Address>.Empty, loaded.Settings))
               from node in NeedsNodeName(env.Verb, asked.Item2) ? NodeNames.Of(raw, asked.Item2.ConfigurationPath) : Fin<Option<string>>.Succ(None)
               from sliced in InSlice(env.Verb, asked.Item2, net.Name, node.IfNoneUnsafe((string?)null), raw)
               select new Request(env, net.Version, sliced, net.RuntimeIps.AddRange(asked.Item1), net.PreviousAddresses,
                   net.ValidAttachments, node.IfNoneUnsafe((string?)null), [.. net.Ipam.UnknownKeys]);
    }

    /// <summary>The version a reply is rendered in: the configuration's, when it parses, else the latest.</summary>
    public static CniVersion ReplyVersion(RawInputs raw) =>
        raw.Network.Map(n => n.Version).IfFail(CniVersion.Latest);

    /// <summary>Where an error found before the settings exist is logged (<see cref="IpamLoading.ErrorLogFile"/>).</summary>
    public static Fin<Option<NamedPath>> ErrorLogFile(RawInputs raw) =>
        raw.Network.Case is NetworkConfig net ? IpamLoading.ErrorLogFile(net.Ipam, raw) : Option<NamedPath>.None;

    static Fin<Unit> Checked(RawInputs raw, ImmutableArray<NamedPath> named, string logFile) =>
        raw.PathsChecked.Match(done => done, () => new InputNeeded(new Wanted.PathChecks(named, logFile)));

    /// <summary>
    /// CNI_ARGS IP= (comma-separated addresses, each optionally with a prefix valid for its family) and
    /// GATEWAY= (overrides the configured gateway; one that is not an address is refused, not dropped). Code 4.
    /// </summary>
    static Fin<(ImmutableArray<Address>, IpamSettings)> AskedInArgs(CniArgs args, IpamSettings settings) =>
        from ips in args.Get("IP").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray()
            .TraverseAll(ip => AddressParser.ParseWithOptionalPrefix(ip).Match(Succ: a => Fin<Address>.Succ(a), Fail: e => CniArgs.Bad("IP", e)))
        from gateway in args.Get("GATEWAY") is { Length: > 0 } g
            ? AddressParser.Parse(g).Match(a => Fin<IpamSettings>.Succ(settings with { Gateway = a }), e => CniArgs.Bad("GATEWAY", e))
            : Fin<IpamSettings>.Succ(settings)
        select (ips, gateway);

    /// <summary>The node's name is read when a slice is looked up, and by GC on the kubernetes store (where pods run).</summary>
    static bool NeedsNodeName(CniVerb verb, IpamSettings settings) =>
        (Sliced(verb, settings) && settings.Datastore is DatastoreSettings.Kubernetes)
        || (verb == CniVerb.Gc && settings.Datastore is DatastoreSettings.Kubernetes);

    static bool Sliced(CniVerb verb, IpamSettings settings) =>
        settings.NodeSliceSize.IsSome && !settings.Ranges.IsEmpty && verb.Slice != SliceNeed.None;

    /// <summary>
    /// Node-slice mode (node_slice_size): the first range becomes this node's slice of it, as the NodeSlicePool
    /// assigns it; only the first range is sliced, as upstream's controller slices only that one. A verb that
    /// needs the slice fails without it; DEL and GC go on with the whole range (<see cref="SliceNeed.WhenFound"/>).
    /// </summary>
    static Fin<IpamSettings> InSlice(CniVerb verb, IpamSettings settings, string networkConfigName, string? node, RawInputs raw)
    {
        if (!Sliced(verb, settings)) return settings;
        var poolName = settings.NetworkName.Length > 0 ? settings.NetworkName : networkConfigName;
        if (settings.Datastore is not DatastoreSettings.Kubernetes) return Errors.InvalidIpam("node_slice_size: node slices need the kubernetes datastore");
        if (poolName.Length == 0) return Errors.InvalidIpam("node_slice_size: the NodeSlicePool is named after network_name or the network's \"name\", and both are empty");
        var slice = node is null
            ? Errors.InvalidIpam("node_slice_size: this node's name is unknown: set NODENAME for the plugin, or write it to whereabouts.d/nodename or /etc/hostname")
            : raw.Slice.Match(found => found, () => new InputNeeded(new Wanted.Slice(settings, poolName, node)));
        if (slice.Case is InputNeeded needed) return needed;
        return slice.Match(
            Succ: s => Fin<IpamSettings>.Succ(settings with { Ranges = settings.Ranges.SetItem(0, settings.Ranges[0].InSlice(new NodeSlice(s, node!))) }),
            Fail: e => verb.Slice == SliceNeed.Required ? e : settings);
    }
}
