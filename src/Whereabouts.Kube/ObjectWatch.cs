using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Kube;

/// <summary>What a watch keeps current: a full list, then one object at a time.</summary>
public interface IWatchedCache
{
    void Reset(IReadOnlyList<JsonElement> items);
    void Put(JsonElement item);
    void Remove(JsonElement item);
    /// <summary>The watch lost its place and lists again: until then, the cache must not be trusted.</summary>
    void Unsync();
    /// <summary>The watch confirmed the cache (an event or a bookmark).</summary>
    void Heard();
}

/// <summary>
/// A cache that keeps only a projection of each object (the controller's pod index) takes a relist page by page,
/// so a large list is never held whole: each page's JSON can go once it is projected. <see cref="EndReset"/>
/// then applies the whole list at once, as <see cref="IWatchedCache.Reset"/> would have.
/// </summary>
public interface IPagedReset
{
    void BeginReset();
    void ResetPage(IEnumerable<JsonElement> items);
    void EndReset();
}

/// <summary>
/// Keeps a cache of one kind of objects (<see cref="WatchedKind"/>) current: list them (paged), then watch from the list's
/// resourceVersion, resuming each watch from the last version seen (events and bookmarks), and list again when
/// the server answers 410 Gone (that version is no longer kept) or the watch fails. While it relists the
/// cache is not synced, and the store reads the API server instead.
/// </summary>
public sealed class ObjectWatch(WatchedKind kind, IWatchedCache cache, Log log, TimeProvider clock) : BackgroundService
{
    /// <summary>A namespace's whereabouts objects of <paramref name="plural"/> (ippools, ...).</summary>
    public ObjectWatch(KubeClientConnection kube, string plural, IWatchedCache cache, Log log, TimeProvider clock)
        : this(WatchedKind.Whereabouts(kube, plural), cache, log, clock) { }

    /// <summary>The server ends each watch after this long; the next one resumes where it stopped.</summary>
    const int WatchSeconds = 300;
    const int ListPageSize = 500;

    sealed class Gone(string message) : Exception(message);

    /// <summary>Completed once the first list has been loaded (/readyz).</summary>
    public Task Synced => synced.Task;
    readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var version = await List(stop);
                synced.TrySetResult();
                failures = 0;
                while (!stop.IsCancellationRequested) version = await Watch(version, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Gone e)
            {
                cache.Unsync();
                log.Verbose($"watch of {kind.Name} : {e.Message}; listing again");
            }
            catch (Exception e)
            {
                cache.Unsync();
                var wait = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures++, 7))));
                log.Error($"watch of {kind.Name} : {e.GetType().Name}: {e.Message}; again in {wait.TotalSeconds:0.#}s");
                try { await Task.Delay(wait, clock, stop); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    async Task<string> List(CancellationToken ct)
    {
        var paged = cache as IPagedReset;
        var objects = new List<JsonElement>();
        var count = 0;
        string? token = null;
        string version;
        paged?.BeginReset();
        do
        {
            var page = await kind.ListPage(token, ListPageSize, ct);
            if (page.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                count += items.GetArrayLength();
                if (paged is not null) paged.ResetPage(items.EnumerateArray());
                else objects.AddRange(items.EnumerateArray());
            }
            var meta = page.GetProperty("metadata");
            token = Text(meta, "continue") is { Length: > 0 } next ? next : null;
            version = Text(meta, "resourceVersion");
        } while (token is not null);
        if (paged is not null) paged.EndReset();
        else cache.Reset(objects);
        log.Verbose($"listed {count} {kind.Name}  at resourceVersion {version}");
        return version;
    }

    /// <summary>One watch, from <paramref name="version"/> until the server ends it; returns the last version seen.</summary>
    async Task<string> Watch(string version, CancellationToken ct)
    {
        // KubernetesClient hands a watch's ERROR event (410 Gone among them) to onError and ends the enumeration
        // without throwing: it is kept here and thrown once the enumeration ends.
        Exception? failed = null;
        var events = kind.Watch(version, WatchSeconds, e => failed ??= e, ct);
        try
        {
            await foreach (var (type, body) in events)
            {
                var item = WatchedKind.AsElement(body);
                cache.Heard();
                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        cache.Put(item);
                        break;
                    case WatchEventType.Deleted:
                        cache.Remove(item);
                        break;
                    case WatchEventType.Error:
                        throw Code(item) == 410 ? new Gone(Text(item, "message")) : new InvalidOperationException($"watch error: {item}");
                }
                if (type != WatchEventType.Error && VersionOf(item) is { Length: > 0 } seen) version = seen;
            }
            if (failed is not null) throw failed;
        }
        catch (KubernetesException e) when (e.Status?.Code == 410)
        {
            throw new Gone(e.Message);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 410)
        {
            throw new Gone(e.Message);
        }
        return version;
    }

    public static string VersionOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("metadata", out var m) ? Text(m, "resourceVersion") : "";

    static int Code(JsonElement status) =>
        status.ValueKind == JsonValueKind.Object && status.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;

    public static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
