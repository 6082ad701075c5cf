using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// A request outcome that the apiserver would report as a failure <c>Status</c>. Thrown from
/// deep inside store logic so that every rejection leaves the store untouched.
/// </summary>
internal sealed class ApiError(int code, string reason, string message, JsonObject? details = null)
    : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    public JsonObject ToStatus() => StatusBodies.Failure(Code, Reason, Message, Details);

    // Message formats follow k8s.io/apimachinery/pkg/api/errors so client code that matches on them behaves the same.

    public static ApiError NotFound(ResourceRef r, string name) =>
        new(404, "NotFound", $"{r.Qualified} \"{name}\" not found", Detail(r, name));

    public static ApiError AlreadyExists(ResourceRef r, string name) =>
        new(409, "AlreadyExists", $"{r.Qualified} \"{name}\" already exists", Detail(r, name));

    public static ApiError Conflict(ResourceRef r, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {r.Qualified} \"{name}\": {why}", Detail(r, name));

    public static ApiError StaleObject(ResourceRef r, string name) =>
        Conflict(r, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiError Invalid(ResourceRef r, string name, string field, string problem)
    {
        var details = Detail(r, name);
        details["causes"] = new JsonArray(new JsonObject
        {
            ["reason"] = "FieldValueInvalid",
            ["message"] = problem,
            ["field"] = field,
        });
        return new(422, "Invalid", $"{r.Qualified} \"{name}\" is invalid: {field}: {problem}", details);
    }

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>A resourceVersion older than the watch history, worded as the apiserver's watch cache words it.</summary>
    public static ApiError Expired(long requested, long oldest) =>
        new(410, "Expired", $"too old resource version: {requested} ({oldest})");

    /// <summary>etcd's refusal of an oversized request as the apiserver passes it on: a bare 500 (see kubernetes#74600).</summary>
    public static ApiError EtcdRequestTooLarge() => new(500, "", "etcdserver: request is too large");

    public static ApiError RequestEntityTooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}");

    public static ApiError MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiError UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json; got {contentType}");

    private static JsonObject Detail(ResourceRef r, string name)
    {
        var details = new JsonObject { ["name"] = name, ["group"] = r.Group, ["kind"] = r.Plural };
        if (r.IsCore) details.Remove("group"); // omitempty: core resources have no group
        return details;
    }
}
