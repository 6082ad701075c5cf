using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// The request-body checks the apiserver makes before storage sees an object. Enforced here so
/// that a client that forgets apiVersion/kind or sends the wrong namespace fails in tests too.
/// </summary>
internal static class BodyChecks
{
    public static void TypeMatches(ResourceRef r, JsonObject body, CustomResourceType? known)
    {
        if (known is { BuiltInKind: true })
        {
            if (string.IsNullOrEmpty(ObjectMeta.Top(body, "apiVersion"))) body["apiVersion"] = known.ApiVersion;
            if (string.IsNullOrEmpty(ObjectMeta.Top(body, "kind"))) body["kind"] = known.Kind;
        }
        var apiVersion = ObjectMeta.Top(body, "apiVersion");
        var kind = ObjectMeta.Top(body, "kind");
        if (string.IsNullOrEmpty(kind)) throw ApiError.BadRequest($"Object 'Kind' is missing in '{body.ToJsonString()}'");
        if (string.IsNullOrEmpty(apiVersion)) throw ApiError.BadRequest($"Object 'apiVersion' is missing in '{body.ToJsonString()}'");
        if (apiVersion != r.ApiVersion)
            throw ApiError.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({r.ApiVersion})");
        if (known is not null && kind != known.Kind)
            throw ApiError.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({known.Kind})");
    }

    public static void NamespaceMatches(ResourceRef r, JsonObject body)
    {
        var ns = ObjectMeta.Str(body, "namespace");
        if (!string.IsNullOrEmpty(ns) && ns != r.Namespace)
            throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }

    public static void NameMatchesUrl(ResourceRef r, JsonObject body)
    {
        var name = ObjectMeta.Name(body);
        if (name != r.Name)
            throw ApiError.BadRequest($"the name of the object ({name}) does not match the name on the URL ({r.Name})");
    }

    /// <summary>Parses a resourceVersion the way the apiserver does: a non-negative integer, "" meaning unset.</summary>
    public static long ParseResourceVersion(string rv)
    {
        if (rv.Length == 0) return 0;
        if (long.TryParse(rv, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
        throw ApiError.BadRequest($"invalid resource version \"{rv}\"");
    }
}
