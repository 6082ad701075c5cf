using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// Metadata-only reads, as the apiserver serves them to a client that asks with
/// <c>Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1</c> (a list) or
/// <c>as=PartialObjectMetadata</c> (one object): kind PartialObjectMetadata[List], apiVersion meta.k8s.io/v1,
/// items with nothing but their metadata. The first acceptable media range wins; one that asks for another
/// transformation with no plain application/json after it is refused with 406.
/// </summary>
internal static class MetadataOnly
{
    public static JsonObject AsRequested(HttpRequest request, JsonObject body, bool list)
    {
        foreach (var range in request.Headers.Accept.SelectMany(h => (h ?? "").Split(',')))
        {
            var parts = range.Split(';').Select(p => p.Trim()).ToArray();
            if (parts[0] is not ("application/json" or "*/*" or "application/*")) continue;
            var parameters = parts.Skip(1).Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
            if (!parameters.TryGetValue("as", out var shape)) return body;
            var wanted = list ? "PartialObjectMetadataList" : "PartialObjectMetadata";
            if (shape == wanted && parameters.GetValueOrDefault("g") == "meta.k8s.io" && parameters.GetValueOrDefault("v") == "v1")
                return list ? ListOf(body) : Partial(body);
        }
        if (request.Headers.Accept.Count == 0 || request.Headers.Accept.Any(h => h is not null && h.Contains("application/json", StringComparison.Ordinal) && !h.Contains("as=", StringComparison.Ordinal)))
            return body;
        throw new ApiError(406, "NotAcceptable", "only the following media types are accepted: application/json, application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1");
    }

    static JsonObject Partial(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone(),
    };

    static JsonObject ListOf(JsonObject list) => new()
    {
        ["kind"] = "PartialObjectMetadataList",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = list["metadata"]?.DeepClone(),
        ["items"] = new JsonArray((list["items"] as JsonArray ?? []).OfType<JsonObject>().Select(i => (JsonNode)Partial(i)).ToArray()),
    };
}
