using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>RFC 7386 JSON merge patch (<c>application/merge-patch+json</c>).</summary>
internal static class MergePatch
{
    public static JsonObject Apply(JsonObject target, JsonNode? patch) =>
        Merge(target, patch) as JsonObject ?? throw ApiError.BadRequest("merge patch must produce an object");

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p) return patch?.DeepClone();
        var t = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in p)
        {
            if (value is null)
            {
                t.Remove(key);
                continue;
            }
            var existing = t[key];
            var merged = Merge(existing, value);
            // Re-assigning a node to the parent it already belongs to is not allowed; it was edited in place.
            if (!ReferenceEquals(merged, existing)) t[key] = merged;
        }
        return t;
    }
}
