using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Config;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Cni;

/// <summary>
/// Node-slice mode (node_slice_size): the first range becomes this node's slice of it, as the NodeSlicePool
/// assigns it; only the first range is sliced, as upstream's controller slices only that one.
/// ADD and CHECK need the slice. DEL and GC go on without one (a node that lost its slice can still release
/// what the whole range's pool holds), so a pod can always be torn down.
/// </summary>
public static class NodeSliceScope
{
    public static async Task<Fin<IpamSettings>> Resolve(
        IpamSettings settings, string networkConfigName, string command, IPoolStore store,
        Func<string, string?> getenv, Func<string, string?> readFile, Log log, CancellationToken ct)
    {
        if (settings.NodeSliceSize.IsNone || settings.Ranges.IsEmpty || command is "STATUS" or "VERSION") return settings;
        var needed = command is "ADD" or "CHECK";
        if (Stores.NodeSlicesOf(store) is not { } slices)
            return Errors.InvalidIpam("node_slice_size: node slices need the kubernetes datastore");
        var poolName = settings.NetworkName.Length > 0 ? settings.NetworkName : networkConfigName;
        if (poolName.Length == 0)
            return Errors.InvalidIpam("node_slice_size: the NodeSlicePool is named after network_name or the network's \"name\", and both are empty");
        var node = NodeSlices.NodeName(getenv, readFile, settings.ConfigurationPath);
        var slice = node is null
            ? Errors.InvalidIpam("node_slice_size: this node's name is unknown: set NODENAME for the plugin, or write it to whereabouts.d/nodename or /etc/hostname")
            : await slices.SliceOf(poolName, node, ct);
        return slice.Match(
            Succ: s => Fin<IpamSettings>.Succ(settings with { Ranges = settings.Ranges.SetItem(0, settings.Ranges[0].InSlice(new NodeSlice(s, node!))) }),
            Fail: e =>
            {
                if (needed) return e;
                log.Verbose($"{command} without a node slice: {e.Message}");
                return settings;
            });
    }
}
