using System.Text.Json;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// Upstream's "fast IPAM" (node_slice_size): the controller splits the range into slices and records in the
/// NodeSlicePool (named network_name, else the network's name) which node owns which; each node allocates
/// from its slice's IPPool, named "[network_name-]node-slice". This is the plugin's half only: find this node's
/// slice, or fail clearly.
/// </summary>
public static class NodeSlices
{
    /// <summary>This node's name as upstream finds it: NODENAME, else /etc/hostname.</summary>
    public static string NodeName(Func<string, string?> getenv, Func<string, string?> readFile)
    {
        if (getenv("NODENAME") is { Length: > 0 } env) return env.Trim();
        if (readFile("/etc/hostname") is { } text && text.Trim() is { Length: > 0 } host) return host;
        throw new StoreUnavailableException("node_slice_size is set but the node's name is unknown: set NODENAME for the plugin or write /etc/hostname", transient: false);
    }

    /// <summary>The pool a node allocates from within its slice.</summary>
    public static PoolKey PoolKeyOf(Cidr slice, string networkName, string nodeName) =>
        PoolKey.For(slice, networkName.Length > 0 ? $"{networkName}-{nodeName}" : nodeName);

    /// <summary>The slice of <paramref name="nodeName"/> in NodeSlicePool <paramref name="poolName"/>.</summary>
    public static async Task<Cidr> SliceOf(KubernetesPoolStore store, string poolName, string nodeName, CancellationToken ct)
    {
        using var doc = await store.ReadNodeSlicePool(poolName, ct)
            ?? throw new StoreUnavailableException(
                $"node_slice_size is set but NodeSlicePool {store.Namespace}/{poolName} does not exist; is the whereabouts controller running with node slices enabled?", transient: false);
        var root = doc.RootElement;
        if (root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
            && status.TryGetProperty("allocations", out var allocations) && allocations.ValueKind == JsonValueKind.Array)
            foreach (var a in allocations.EnumerateArray())
                if (Text(a, "nodeName") == nodeName)
                {
                    var slice = Text(a, "sliceRange");
                    return CidrParser.Parse(slice).Match(
                        c => c,
                        _ => throw new StoreUnavailableException($"NodeSlicePool {store.Namespace}/{poolName} gives node {nodeName} the slice \"{slice}\", which is not a CIDR", transient: false));
                }
        throw new StoreUnavailableException(
            $"no allocated node slice for node {nodeName} in NodeSlicePool {store.Namespace}/{poolName}; the controller assigns one slice per node: " +
            "check that the node count fits the range at this node_slice_size and that NODENAME matches the node's name", transient: false);
    }

    static string Text(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
