using System.Text.Json;
using LanguageExt;
using Error = LanguageExt.Common.Error;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// The node-slice port over a Kubernetes store's connection: reads the NodeSlicePool that upstream's
/// node-slice-controller keeps (see <see cref="NodeSlices"/>).
/// </summary>
public sealed class KubernetesNodeSlices(KubernetesPoolStore store) : INodeSlices
{
    /// <summary>
    /// The slice of <paramref name="nodeName"/> in NodeSlicePool <paramref name="poolName"/>. A pool or slice
    /// that does not exist yet is "try again later" (11): the controller assigns slices as nodes join.
    /// </summary>
    public async Task<Fin<Cidr>> SliceOf(string poolName, string nodeName, CancellationToken ct)
    {
        using var doc = await store.ReadNodeSlicePool(poolName, ct);
        return SliceIn(doc?.RootElement, store.Namespace, poolName, nodeName);
    }

    /// <summary>The slice of <paramref name="nodeName"/> in a NodeSlicePool object (null: it does not exist), as read or as watched.</summary>
    public static Fin<Cidr> SliceIn(JsonElement? pool, string ns, string poolName, string nodeName)
    {
        if (pool is not { } root)
            return Errors.TryAgainLater($"node_slice_size is set but NodeSlicePool {ns}/{poolName} does not exist; NodeSlicePools are made by upstream Whereabouts' node-slice-controller: check that it runs in the cluster");
        if (root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
            && status.TryGetProperty("allocations", out var allocations) && allocations.ValueKind == JsonValueKind.Array)
            foreach (var a in allocations.EnumerateArray())
                if (Text(a, "nodeName") == nodeName)
                {
                    var slice = Text(a, "sliceRange");
                    return CidrParser.Parse(slice).Match(
                        c => Fin<Cidr>.Succ(c),
                        _ => Errors.InvalidConfig($"NodeSlicePool {ns}/{poolName} gives node {nodeName} the slice \"{slice}\", which is not a CIDR; fix or delete the NodeSlicePool"));
                }
        return Errors.TryAgainLater($"no allocated node slice for node {nodeName} in NodeSlicePool {ns}/{poolName}; upstream's node-slice-controller assigns one slice per node: " +
            "check that the node count fits the range at this node_slice_size and that NODENAME matches the node's name");
    }

    static string Text(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
