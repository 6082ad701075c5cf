using System.Text.Json;
using Whereabouts.Core.Slices;

namespace Whereabouts.Controller.Slices;

/// <summary>What the reconciler reads from a NetworkAttachmentDefinition (k8s.cni.cncf.io/v1) object.</summary>
static class NadObjects
{
    public const string ApiVersion = "k8s.cni.cncf.io/v1";
    public const string Kind = "NetworkAttachmentDefinition";

    public static NadRef Ref(JsonElement nad)
    {
        var meta = nad.TryGetProperty("metadata", out var m) ? m : default;
        return new NadRef(Text(meta, "namespace"), Text(meta, "name"), Text(meta, "uid"));
    }

    /// <summary>spec.config, the CNI configuration as a JSON string ("" when absent: a NAD may name a file on the node instead).</summary>
    public static string Config(JsonElement nad) =>
        nad.TryGetProperty("spec", out var spec) ? Text(spec, "config") : "";

    /// <summary>metadata.creationTimestamp, RFC 3339 with seconds, so it orders as text.</summary>
    public static string Created(JsonElement nad) =>
        nad.TryGetProperty("metadata", out var m) ? Text(m, "creationTimestamp") : "";

    static string Text(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
