using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Whereabouts.Core.Config;

/// <summary>
/// Scalar reads from parsed JSON nodes without <c>JsonValue.GetValue&lt;T&gt;</c>/<c>TryGetValue&lt;T&gt;</c>:
/// those are generic virtual methods, which Native AOT resolves through its type loader on first call
/// (about 0.1 ms each, paid again in every plugin process). <see cref="JsonNode.ToString"/> returns a string
/// value unquoted and a number as its JSON text.
/// </summary>
public static class JsonText
{
    /// <summary>The value if the node is a JSON string; null otherwise.</summary>
    public static string? StringOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.ToString() : null;

    /// <summary>Upstream's "zero value": absent, null, "", false, 0, [] or {}.</summary>
    public static bool IsZero(JsonNode? node) => node switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => node.ToString().Length == 0,
            JsonValueKind.False or JsonValueKind.Null => true,
            JsonValueKind.Number => double.TryParse(node.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == 0,
            _ => false,
        },
    };
}
