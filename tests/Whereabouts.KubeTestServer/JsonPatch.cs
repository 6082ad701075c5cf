using System.Globalization;
using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// RFC 6902 JSON patch (<c>application/json-patch+json</c>): add, remove, replace, move, copy, test.
/// A failed op rejects the whole patch with 422, as the apiserver does; the caller's store is untouched.
/// </summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject doc, JsonNode? patch)
    {
        if (patch is not JsonArray ops) throw ApiError.BadRequest("json patch must be an array of operations");
        JsonNode root = doc;
        foreach (var node in ops)
        {
            if (node is not JsonObject op) throw ApiError.BadRequest("json patch operation must be an object");
            var path = Str(op, "path") ?? throw Fail("missing path");
            switch (Str(op, "op"))
            {
                case "add": root = Add(root, path, Value(op)); break;
                case "remove": Remove(root, path); break;
                case "replace":
                    if (path.Length > 0) Remove(root, path);
                    root = Add(root, path, Value(op));
                    break;
                case "move":
                {
                    var from = Str(op, "from") ?? throw Fail("missing from");
                    var moved = Find(root, from)?.DeepClone();
                    Remove(root, from);
                    root = Add(root, path, moved);
                    break;
                }
                case "copy": root = Add(root, path, Find(root, Str(op, "from") ?? throw Fail("missing from"))?.DeepClone()); break;
                case "test":
                    if (!JsonNode.DeepEquals(Find(root, path), op["value"])) throw Fail($"test failed at {path}");
                    break;
                default: throw Fail($"unknown op {Str(op, "op")}");
            }
        }
        return root as JsonObject ?? throw Fail("patched document is not an object");
    }

    private static JsonNode Add(JsonNode root, string path, JsonNode? value)
    {
        if (path.Length == 0) return value ?? throw Fail("cannot replace the document with null");
        var (parent, token) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o: o[token] = value; break;
            case JsonArray a:
                var i = token == "-" ? a.Count : Index(token, a.Count + 1);
                a.Insert(i, value);
                break;
            default: throw Fail($"cannot add at {path}");
        }
        return root;
    }

    private static void Remove(JsonNode root, string path)
    {
        var (parent, token) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(token): o.Remove(token); break;
            case JsonArray a: a.RemoveAt(Index(token, a.Count)); break;
            default: throw Fail($"nothing to remove at {path}");
        }
    }

    private static JsonNode? Find(JsonNode root, string path)
    {
        if (path.Length == 0) return root;
        var (parent, token) = Parent(root, path);
        return parent switch
        {
            JsonObject o when o.TryGetPropertyValue(token, out var v) => v,
            JsonArray a => a[Index(token, a.Count)],
            _ => throw Fail($"no value at {path}"),
        };
    }

    private static (JsonNode Parent, string Token) Parent(JsonNode root, string path)
    {
        if (!path.StartsWith('/')) throw Fail($"bad pointer {path}");
        var tokens = path[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();
        var current = root;
        foreach (var t in tokens[..^1])
        {
            current = current switch
            {
                JsonObject o when o[t] is { } child => child,
                JsonArray a when a[Index(t, a.Count)] is { } item => item,
                _ => throw Fail($"no value at {path}"),
            };
        }
        return (current, tokens[^1]);
    }

    private static int Index(string token, int limit) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < limit
            ? i
            : throw Fail($"array index {token} out of range");

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw Fail("missing value");

    private static string? Str(JsonObject o, string field) => o[field]?.GetValue<string>();

    private static ApiError Fail(string why) => new(422, "Invalid", "the server rejected our request due to an error in our request: " + why);
}
