using System.Text.Json;
using System.Text.Json.Nodes;
using Whereabouts.Core.Slices;

namespace Whereabouts.Controller.Slices;

/// <summary>
/// NodeSlicePool objects as upstream's node-slice-controller writes them (whereabouts.cni.cncf.io/v1alpha1,
/// spec {range, sliceSize}, status {allocations}, a plain update: the CRD has no status subresource).
/// </summary>
static class NodeSlicePoolObjects
{
    public const string Group = "whereabouts.cni.cncf.io";
    public const string Version = "v1alpha1";
    public const string Plural = "nodeslicepools";
    public const string Kind = "NodeSlicePool";
    public const string ApiVersion = Group + "/" + Version;
    const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>The label selector of the pools this controller made (the only ones it ever deletes).</summary>
    public const string ManagedBySelector = ManagedBy + "=" + Events.KubernetesEventSink.Component;

    /// <summary>
    /// A new pool: the plan's spec and allocations, owned by the NADs in its own namespace. A NAD in another
    /// namespace cannot own it: the garbage collector treats a cross-namespace owner as absent and would
    /// delete the pool under running pods.
    /// </summary>
    public static JsonObject New(string ns, SlicePlan plan, IReadOnlyList<NadRef> owners) => new()
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = Kind,
        ["metadata"] = new JsonObject
        {
            ["name"] = plan.PoolName,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { [ManagedBy] = Events.KubernetesEventSink.Component },
            ["ownerReferences"] = OwnerReferences(ns, owners, null),
        },
        ["spec"] = new JsonObject { ["range"] = plan.Spec.Range.ToString(), ["sliceSize"] = plan.Spec.SliceSizeText },
        ["status"] = Status(plan),
    };

    /// <summary>The stored pool with the plan's allocations and owners; everything else (its resourceVersion among it) as read.</summary>
    public static JsonObject Replaced(JsonElement stored, SlicePlan plan, IReadOnlyList<NadRef> owners)
    {
        var obj = JsonNode.Parse(stored.GetRawText())!.AsObject();
        var meta = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = meta;
        var ns = meta["namespace"]?.GetValue<string>() ?? "";
        meta["ownerReferences"] = OwnerReferences(ns, owners, meta["ownerReferences"] as JsonArray);
        obj["status"] = Status(plan);
        return obj;
    }

    public static bool IsOurs(JsonElement stored) =>
        stored.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("labels", out var labels)
        && Text(labels, ManagedBy) == Events.KubernetesEventSink.Component;

    /// <summary>Whether the stored pool's NAD owners are those it should have.</summary>
    public static bool OwnersAre(JsonElement stored, string ns, IReadOnlyList<NadRef> owners)
    {
        var want = Owning(ns, owners).Select(o => o.Uid).ToHashSet(StringComparer.Ordinal);
        var have = new HashSet<string>(StringComparer.Ordinal);
        if (stored.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("ownerReferences", out var refs) && refs.ValueKind == JsonValueKind.Array)
            foreach (var r in refs.EnumerateArray())
                if (Text(r, "kind") == NadObjects.Kind) have.Add(Text(r, "uid"));
        return want.SetEquals(have);
    }

    static IEnumerable<NadRef> Owning(string ns, IReadOnlyList<NadRef> owners) =>
        owners.Where(o => o.Namespace == ns && o.Uid.Length > 0).DistinctBy(o => o.Uid);

    /// <summary>The NADs as owners, after the stored references to other kinds (kept as they are).</summary>
    static JsonArray OwnerReferences(string ns, IReadOnlyList<NadRef> owners, JsonArray? stored)
    {
        var refs = new JsonArray();
        foreach (var r in stored ?? [])
            if (r is JsonObject o && o["kind"]?.GetValue<string>() != NadObjects.Kind) refs.Add(o.DeepClone());
        foreach (var nad in Owning(ns, owners))
            refs.Add(new JsonObject { ["apiVersion"] = NadObjects.ApiVersion, ["kind"] = NadObjects.Kind, ["name"] = nad.Name, ["uid"] = nad.Uid });
        return refs;
    }

    static JsonObject Status(SlicePlan plan)
    {
        var list = new JsonArray();
        foreach (var e in plan.Allocations) list.Add(new JsonObject { ["nodeName"] = e.NodeName, ["sliceRange"] = e.SliceRange });
        return new JsonObject { ["allocations"] = list };
    }

    static string Text(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
