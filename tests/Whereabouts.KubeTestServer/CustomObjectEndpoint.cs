using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// The one HTTP handler. Order per request: route → count → latency → auth → pre-apply fault →
/// store → (optional) apply-then-drop. Faults are drawn before the store runs, so a 500/429/drop
/// can never leave a half-applied write behind.
/// </summary>
internal sealed class CustomObjectEndpoint(
    ObjectStore store, FaultInjector faults, RequestCounters counters, string token, CancellationToken stopping)
{
    /// <summary>Serves watch requests; set by the server.</summary>
    public required WatchStream Watches { get; init; }

    /// <summary>See <see cref="KubeTestServerOptions.MaxRequestBodyBytes"/>.</summary>
    public int? MaxRequestBodyBytes { get; init; }

    /// <summary>
    /// Which client certificates authenticate (they chain to the client CA), and as whom (their CN), as the
    /// apiserver's x509 authenticator; null accepts none. A certificate it does not trust is ignored, not
    /// refused at the handshake, so such a request is anonymous and gets 401, as on the apiserver.
    /// </summary>
    public Func<System.Security.Cryptography.X509Certificates.X509Certificate2, string?>? ClientUser { get; init; }

    /// <summary>See <see cref="KubeTestServerOptions.Authorize"/>.</summary>
    public Func<RequestAttributes, bool>? Authorize { get; init; }

    /// <summary>Every request the authorizer refused, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<RequestAttributes> Denied { get; } = new();

    /// <summary>Requests authenticated per user: the token's as "token", a certificate's by its CN.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Users { get; } = new();

    public async Task HandleAsync(HttpContext ctx)
    {
        var r = ResourceRef.Parse(ctx.Request.Path.Value ?? "");
        if (r is { IsCore: true } && (r.Version != "v1" || !CustomResourceType.Core.Any(t => t.Plural == r.Plural))) r = null; // the core kinds served
        r = r?.Scoped(store.TypeOf(r.Group, r.Plural));
        var verb = r is null ? null : VerbOf(ctx.Request, r);
        if (r is null || verb is null)
        {
            await WriteAsync(ctx, 404, StatusBodies.NoRoute());
            return;
        }
        counters.Record(verb, r.Plural);

        var latency = faults.Latency;
        if (latency > TimeSpan.Zero && !await DelayAsync(ctx, latency)) return;

        var user = ctx.Request.Headers.Authorization.ToString() == "Bearer " + token ? "token"
            : ctx.Connection.ClientCertificate is { } certificate ? ClientUser?.Invoke(certificate) : null;
        if (user is not null) Users.AddOrUpdate(user, 1, (_, n) => n + 1);
        if (user is null)
        {
            await WriteAsync(ctx, 401, StatusBodies.Unauthorized());
            return;
        }

        if (Authorize is not null)
        {
            var attributes = new RequestAttributes(user, verb, r.Group, r.Plural, string.IsNullOrEmpty(r.Namespace) ? null : r.Namespace, r.Name);
            if (!Authorize(attributes))
            {
                Denied.Enqueue(attributes);
                await WriteAsync(ctx, 403, StatusBodies.Failure(403, "Forbidden", attributes.ForbiddenMessage(),
                    new JsonObject { ["name"] = r.Name, ["group"] = r.Group, ["kind"] = r.Plural }));
                return;
            }
        }

        // Drawn after auth so a scripted fault is never used up by a request that was refused anyway.
        var fault = faults.Draw(verb);
        switch (fault)
        {
            case FaultKind.DropConnection:
                ctx.Abort();
                return;
            case FaultKind.InternalServerError:
                await WriteAsync(ctx, 500, StatusBodies.InternalError());
                return;
            case FaultKind.TooManyRequests:
                ctx.Response.Headers.RetryAfter = "1";
                await WriteAsync(ctx, 429, StatusBodies.TooManyRequests());
                return;
        }

        int code;
        JsonObject body;
        try
        {
            if (verb == KubeVerbs.Watch)
            {
                await Watches.ServeAsync(ctx, r);
                return;
            }
            (code, body) = await DispatchAsync(ctx, verb, r);
        }
        catch (ApiError e)
        {
            (code, body) = (e.Code, e.ToStatus());
        }

        // Only a write that actually committed models "timed out after commit"; a rejected one just answers.
        if (fault == FaultKind.ApplyThenDrop && code < 300)
        {
            ctx.Abort();
            return;
        }
        await WriteAsync(ctx, code, body);
    }

    private async Task<(int, JsonObject)> DispatchAsync(HttpContext ctx, string verb, ResourceRef r)
    {
        switch (verb)
        {
            case KubeVerbs.Get: return (200, MetadataOnly.AsRequested(ctx.Request, store.Get(r), list: false));
            // Paged first, then filtered: a page may hold fewer than limit items, as the API documents for selectors.
            case KubeVerbs.List:
                if (ctx.Request.Query["resourceVersionMatch"] == "Exact")
                    store.CheckListable(ctx.Request.Query["resourceVersion"].ToString());
                return (200, MetadataOnly.AsRequested(ctx.Request, FieldSelector.Parse(r, ctx.Request.Query["fieldSelector"].ToString()).Filter(store.List(r,
                    int.TryParse(ctx.Request.Query["limit"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) ? limit : 0,
                    ctx.Request.Query["continue"].ToString())), list: true));
            case KubeVerbs.Create: return (201, store.Create(r, await ReadObjectAsync(ctx)));
            case KubeVerbs.Update: return (200, store.Replace(r, await ReadObjectAsync(ctx)));
            case KubeVerbs.Patch:
            {
                var patch = await ReadNodeAsync(ctx);
                var mediaType = ctx.Request.ContentType?.Split(';')[0].Trim() ?? "";
                Func<JsonObject, JsonObject> apply = mediaType switch
                {
                    "application/merge-patch+json" => current => MergePatch.Apply(current, patch),
                    "application/json-patch+json" => current => JsonPatch.Apply(current, patch),
                    // Custom resources never support strategic merge; server-side apply is not modelled.
                    _ => throw ApiError.UnsupportedMediaType(mediaType),
                };
                return (200, store.Patch(r, apply));
            }
            case KubeVerbs.Delete:
            {
                var options = await ReadNodeAsync(ctx) as JsonObject;
                var pre = options?["preconditions"] as JsonObject;
                return (200, store.Delete(r, Str(pre, "uid"), Str(pre, "resourceVersion")));
            }
            default:
                throw ApiError.MethodNotAllowed($"verb {verb} is not supported by KubeTestServer");
        }
    }

    /// <summary>
    /// Waits out injected latency. Server shutdown cuts the wait short (and the connection), so a test that
    /// set a long latency never stalls disposal for Kestrel's whole shutdown timeout.
    /// </summary>
    private async Task<bool> DelayAsync(HttpContext ctx, TimeSpan latency)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        try
        {
            await Task.Delay(latency, linked.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            ctx.Abort();
            return false;
        }
    }

    /// <summary>Maps method + URL shape to the apiserver's verb; null when the apiserver has no such route.</summary>
    private static string? VerbOf(HttpRequest req, ResourceRef r)
    {
        var named = r.Name is not null;
        var clusterWide = r.Namespace is null;
        return req.Method switch
        {
            "GET" when named => KubeVerbs.Get,
            "GET" when req.Query["watch"] is ["true" or "1"] => KubeVerbs.Watch,
            "GET" => KubeVerbs.List,
            "POST" when !named && !clusterWide => KubeVerbs.Create,
            "PUT" when named => KubeVerbs.Update,
            "PATCH" when named => KubeVerbs.Patch,
            "DELETE" when named => KubeVerbs.Delete,
            "DELETE" when !clusterWide => KubeVerbs.DeleteCollection,
            _ => null,
        };
    }

    private async Task<JsonObject> ReadObjectAsync(HttpContext ctx) =>
        await ReadNodeAsync(ctx) as JsonObject ?? throw ApiError.BadRequest("request body must be a JSON object");

    private async Task<JsonNode?> ReadNodeAsync(HttpContext ctx)
    {
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        if (MaxRequestBodyBytes is { } limit && buffer.Length > limit) throw ApiError.RequestEntityTooLarge(limit);
        if (buffer.Length == 0) return null;
        try
        {
            return JsonNode.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest("invalid JSON in request body: " + e.Message);
        }
    }

    private static string? Str(JsonObject? o, string field) =>
        o?[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static async Task WriteAsync(HttpContext ctx, int code, JsonObject body)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted);
    }
}
