using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// A LIST's or WATCH's <c>fieldSelector</c> as the apiserver reads it: comma-separated requirements
/// <c>field=value</c>, <c>field==value</c> or <c>field!=value</c>, all of which must hold. Every resource
/// supports metadata.name and metadata.namespace; pods also spec.nodeName, status.phase and the other fields
/// their registry lists. Any other field is 400 "field label not supported", as the real server answers.
/// </summary>
internal sealed record FieldSelector(IReadOnlyList<(string Field, string Value, bool Equal)> Requirements)
{
    private static readonly string[] Common = ["metadata.name", "metadata.namespace"];

    private static readonly string[] PodFields =
    [
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
        "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName",
    ];

    public static FieldSelector Parse(ResourceRef r, string selector)
    {
        var requirements = new List<(string, string, bool)>();
        foreach (var part in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (field, value, equal) = part.IndexOf("!=", StringComparison.Ordinal) is var ne and >= 0
                ? (part[..ne], part[(ne + 2)..], false)
                : part.IndexOf("==", StringComparison.Ordinal) is var ee and >= 0
                    ? (part[..ee], part[(ee + 2)..], true)
                    : part.IndexOf('=') is var e and >= 0
                        ? (part[..e], part[(e + 1)..], true)
                        : throw ApiError.BadRequest($"invalid selector: '{selector}'; can't understand '{part}'");
            field = field.Trim();
            var supported = Common.Contains(field) || (r.IsCore && r.Plural == "pods" && PodFields.Contains(field));
            if (!supported) throw ApiError.BadRequest($"field label not supported: {field}");
            requirements.Add((field, value.Trim(), equal));
        }
        return new FieldSelector(requirements);
    }

    /// <summary>The LIST response with only the items every requirement holds for.</summary>
    public JsonObject Filter(JsonObject list)
    {
        if (Requirements.Count == 0) return list;
        var items = (JsonArray)list["items"]!;
        foreach (var item in items.ToArray())
            if (!Matches(item!.AsObject())) items.Remove(item);
        return list;
    }

    public bool Matches(JsonObject obj) => Requirements.All(q => (Value(obj, q.Field) == q.Value) == q.Equal);

    /// <summary>The field's value as text; "" when absent (an unscheduled pod matches spec.nodeName=).</summary>
    private static string Value(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var step in path.Split('.')) node = node is JsonObject o ? o[step] : null;
        return node switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            _ => "",
        };
    }
}
