using System.Buffers;
using System.Text.Json;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>The snapshot's <see cref="Core.Engine.PoolSnapshot.StoreMetadata"/>: the kept fields of an IPPool's metadata, as JSON.</summary>
sealed record KubeObjectMetadata(byte[] Json);

/// <summary>
/// The JSON of the objects the store reads and writes: parsing an answer, the fields of metadata it needs,
/// and the bodies it sends (an object as upstream writes it, a delete's preconditions).
/// </summary>
static class KubeObjects
{
    public static JsonDocument Parse(KubeResponse r, string kind, string ns, string name)
    {
        try
        {
            return JsonDocument.Parse(r.Body);
        }
        catch (JsonException e)
        {
            throw new StoreUnavailableException($"{kind} {ns}/{name}: the API answered with invalid JSON ({e.Message})", transient: true, e);
        }
    }

    public static string Version(JsonElement root) =>
        root.TryGetProperty("metadata", out var m) && m.TryGetProperty("resourceVersion", out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() ?? "" : "";

    public static string Name(JsonElement item) =>
        item.TryGetProperty("metadata", out var m) && m.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";

    /// <summary>Metadata fields a replace carries over from the object read; everything else is the server's.</summary>
    static readonly string[] KeptMetadata = ["labels", "annotations", "ownerReferences", "finalizers"];

    public static KubeObjectMetadata? KeptMetadataOf(JsonElement item)
    {
        if (!item.TryGetProperty("metadata", out var meta) || meta.ValueKind != JsonValueKind.Object) return null;
        var buffer = new ArrayBufferWriter<byte>();
        var any = false;
        using (var w = new Utf8JsonWriter(buffer, Core.JsonEscaping.Compact))
        {
            w.WriteStartObject();
            foreach (var field in KeptMetadata)
                if (meta.TryGetProperty(field, out var value))
                {
                    any = true;
                    w.WritePropertyName(field);
                    value.WriteTo(w);
                }
            w.WriteEndObject();
        }
        return any ? new KubeObjectMetadata(buffer.WrittenSpan.ToArray()) : null;
    }

    /// <summary>An object as upstream writes it: apiVersion, kind, metadata.name/namespace, spec.</summary>
    public static byte[] Build(string kind, string ns, string name, string? resourceVersion, KubeObjectMetadata? keep, Action<Utf8JsonWriter> spec)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Core.JsonEscaping.Compact))
        {
            w.WriteStartObject();
            w.WriteString("apiVersion", KubeApi.ApiVersion);
            w.WriteString("kind", kind);
            w.WriteStartObject("metadata");
            w.WriteString("name", name);
            w.WriteString("namespace", ns);
            if (resourceVersion is not null) w.WriteString("resourceVersion", resourceVersion);
            if (keep is not null)
            {
                using var meta = JsonDocument.Parse(keep.Json);
                foreach (var field in meta.RootElement.EnumerateObject()) field.WriteTo(w);
            }
            w.WriteEndObject();
            w.WritePropertyName("spec");
            spec(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A delete that applies only while the object is still at <paramref name="resourceVersion"/>.</summary>
    public static byte[] DeleteOptions(string resourceVersion)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, Core.JsonEscaping.Compact))
        {
            w.WriteStartObject();
            w.WriteString("kind", "DeleteOptions");
            w.WriteString("apiVersion", "v1");
            w.WriteStartObject("preconditions");
            w.WriteString("resourceVersion", resourceVersion);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
