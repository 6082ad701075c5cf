using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>Builds <c>meta/v1 Status</c> bodies shaped exactly like the apiserver's.</summary>
internal static class StatusBodies
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
        };
        // The apiserver omits reason when it is StatusReasonUnknown ("").
        if (reason.Length > 0) status["reason"] = reason;
        if (details is not null) status["details"] = details;
        status["code"] = code;
        return status;
    }

    /// <summary>What a DELETE of a custom object answers once it is gone (CRs don't return the object).</summary>
    public static JsonObject DeleteSuccess(ResourceRef r, string name, string? uid)
    {
        var details = new JsonObject { ["name"] = name, ["group"] = r.Group, ["kind"] = r.Plural };
        if (uid is not null) details["uid"] = uid;
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    public static JsonObject Unauthorized() => Failure(401, "Unauthorized", "Unauthorized");

    public static JsonObject TooManyRequests() =>
        Failure(429, "TooManyRequests", "Too many requests, please try again later.",
            new JsonObject { ["retryAfterSeconds"] = 1 });

    public static JsonObject InternalError() =>
        Failure(500, "InternalError", "Internal error occurred: injected fault");

    public static JsonObject NoRoute() =>
        Failure(404, "NotFound", "the server could not find the requested resource",
            new JsonObject());
}
