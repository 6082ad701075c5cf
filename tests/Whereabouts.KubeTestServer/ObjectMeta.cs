using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>Small accessors for <c>metadata</c> on untyped objects, so store code reads like the Go it mimics.</summary>
internal static class ObjectMeta
{
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta) return meta;
        meta = new JsonObject();
        obj["metadata"] = meta;
        return meta;
    }

    public static string? Str(JsonObject obj, string field) => Of(obj)[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(JsonObject obj) => Str(obj, "name") ?? "";

    public static string ResourceVersion(JsonObject obj) => Str(obj, "resourceVersion") ?? "";

    public static string? Top(JsonObject obj, string field) => obj[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The object minus metadata: a change here is what bumps metadata.generation on a CR without subresources.</summary>
    public static JsonObject Content(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("metadata");
        return copy;
    }
}
