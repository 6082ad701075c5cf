using System.Text.Json;
using LanguageExt;
using Error = LanguageExt.Common.Error;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// Upstream's "fast IPAM" (node_slice_size): the controller splits the range into slices and records in the
/// NodeSlicePool (named network_name, else the network's name) which node owns which; each node allocates
/// from its slice's IPPool, named "[network_name-]node-slice" (PoolKey.Of). This is the plugin's half only: find
/// this node's slice, or say why there is none.
/// </summary>
public static class NodeSlices
{
    /// <summary>
    /// This node's name as upstream finds it: NODENAME, else a "nodename" file beside the flat file (the
    /// installer writes one), else /etc/hostname. Null when none says.
    /// </summary>
    public static string? NodeName(Func<string, string?> getenv, Func<string, string?> readFile, string configurationPath)
    {
        if (getenv("NODENAME") is { } env && env.Trim() is { Length: > 0 } name) return name;
        var beside = configurationPath.Length > 0 ? [Path.Combine(Path.GetDirectoryName(configurationPath) ?? "/", "nodename")] : System.Array.Empty<string>();
        string[] standard = ["/etc/kubernetes/cni/net.d/whereabouts.d/nodename", "/etc/cni/net.d/whereabouts.d/nodename", "/host/etc/cni/net.d/whereabouts.d/nodename", "/etc/hostname"];
        foreach (var path in beside.Concat(standard))
            if (readFile(path) is { } text && text.Trim() is { Length: > 0 } found) return found;
        return null;
    }

    /// <summary>
    /// The slice of <paramref name="nodeName"/> in NodeSlicePool <paramref name="poolName"/>. A pool or slice
    /// that does not exist yet is "try again later" (11): the controller assigns slices as nodes join.
    /// </summary>
    public static async Task<Fin<Cidr>> SliceOf(KubernetesPoolStore store, string poolName, string nodeName, CancellationToken ct)
    {
        using var doc = await store.ReadNodeSlicePool(poolName, ct);
        if (doc is null)
            return Error.New(Errors.TryAgainLaterCode,
                $"node_slice_size is set but NodeSlicePool {store.Namespace}/{poolName} does not exist; NodeSlicePools are made by upstream Whereabouts' node-slice-controller: check that it runs in the cluster");
        var root = doc.RootElement;
        if (root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
            && status.TryGetProperty("allocations", out var allocations) && allocations.ValueKind == JsonValueKind.Array)
            foreach (var a in allocations.EnumerateArray())
                if (Text(a, "nodeName") == nodeName)
                {
                    var slice = Text(a, "sliceRange");
                    return CidrParser.Parse(slice).Match(
                        c => Fin<Cidr>.Succ(c),
                        _ => Error.New(Errors.InvalidConfigCode, $"NodeSlicePool {store.Namespace}/{poolName} gives node {nodeName} the slice \"{slice}\", which is not a CIDR; fix or delete the NodeSlicePool"));
                }
        return Error.New(Errors.TryAgainLaterCode,
            $"no allocated node slice for node {nodeName} in NodeSlicePool {store.Namespace}/{poolName}; upstream's node-slice-controller assigns one slice per node: " +
            "check that the node count fits the range at this node_slice_size and that NODENAME matches the node's name");
    }

    static string Text(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
