using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// Serves GET …?watch=true as the apiserver does: a 200 whose body is one JSON watch event per line, flushed per
/// event, until timeoutSeconds (or <see cref="KubeTestServerOptions.WatchTimeout"/>) passes, the server closes
/// watches or stops, or the client goes away. An expired resourceVersion is one ERROR event with the 410 Status.
/// </summary>
internal sealed class WatchStream(ObjectStore store, TimeSpan defaultTimeout, TimeSpan bookmarkInterval, CancellationToken stopping)
{
    public async Task ServeAsync(HttpContext ctx, ResourceRef r)
    {
        var query = ctx.Request.Query;
        var fields = FieldSelector.Parse(r, query["fieldSelector"].ToString());
        var labels = LabelSelector.Parse(query["labelSelector"].ToString());
        var timeout = defaultTimeout;
        if (query["timeoutSeconds"].ToString() is { Length: > 0 } t)
            timeout = int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0
                ? TimeSpan.FromSeconds(s) : timeout;
        var bookmarks = query["allowWatchBookmarks"] is ["true" or "1"];

        WatchSubscription watch;
        try
        {
            watch = store.Watch(r.Plural, r.Namespace, query["resourceVersion"].ToString());
        }
        catch (ApiError e) when (e.Code == 410)
        {
            // The apiserver answers an expired watch with 200 and a single ERROR event, not a 410 response.
            Start(ctx);
            await WriteLineAsync(ctx, Line("ERROR", e.ToStatus().ToJsonString()), ctx.RequestAborted);
            return;
        }

        using var ends = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        ends.CancelAfter(timeout);
        var bookmarking = bookmarks ? BookmarkAsync(watch, ends.Token) : Task.CompletedTask;
        try
        {
            Start(ctx);
            await ctx.Response.Body.FlushAsync(ends.Token);
            await foreach (var e in watch.Events.ReadAllAsync(ends.Token))
                if (Translate(e, r, fields, labels) is { } line) await WriteLineAsync(ctx, line, ends.Token);
        }
        catch (OperationCanceledException)
        {
            // Timeout ends the stream cleanly; stop and disconnect end it too, with nothing more to say.
        }
        catch (IOException)
        {
            // The client went away mid-write.
        }
        finally
        {
            store.Unwatch(watch);
            await ends.CancelAsync();
            await bookmarking;
        }
    }

    private async Task BookmarkAsync(WatchSubscription watch, CancellationToken token)
    {
        using var timer = new PeriodicTimer(bookmarkInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(token)) store.Bookmark(watch);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The line this watcher is sent for one change, or null. As the apiserver's cacher does, a change that makes
    /// an object start matching the selectors is ADDED, and one that makes it stop matching is DELETED with the
    /// previous state at the change's resourceVersion.
    /// </summary>
    private string? Translate(WatchEvent e, ResourceRef r, FieldSelector fields, LabelSelector labels)
    {
        if (e.Type == WatchEvent.Bookmark)
        {
            var type = store.TypeOf(e.Plural);
            var marker = new JsonObject
            {
                ["kind"] = type?.Kind ?? "",
                ["apiVersion"] = type?.ApiVersion ?? r.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = e.Revision.ToString(CultureInfo.InvariantCulture) },
            };
            return Line(WatchEvent.Bookmark, marker.ToJsonString());
        }
        bool Matches(JsonObject? o) => o is not null && fields.Matches(o) && labels.Matches(o);
        var now = Matches(e.Object);
        if (e.Type != WatchEvent.Modified) return now ? Line(e.Type, e.Object!.ToJsonString()) : null;
        var before = Matches(e.Previous);
        return (before, now) switch
        {
            (true, true) => Line(WatchEvent.Modified, e.Object!.ToJsonString()),
            (false, true) => Line(WatchEvent.Added, e.Object!.ToJsonString()),
            (true, false) => Line(WatchEvent.Deleted, e.Previous!.ToJsonString()),
            _ => null,
        };
    }

    private static string Line(string type, string objectJson) => $"{{\"type\":\"{type}\",\"object\":{objectJson}}}\n";

    private static void Start(HttpContext ctx)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
    }

    private static async Task WriteLineAsync(HttpContext ctx, string line, CancellationToken token)
    {
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), token);
        await ctx.Response.Body.FlushAsync(token);
    }
}
