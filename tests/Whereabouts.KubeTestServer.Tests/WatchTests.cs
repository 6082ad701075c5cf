using System.Net;
using System.Text.Json.Nodes;
using static Whereabouts.KubeTestServer.Tests.Objects;
using static Whereabouts.KubeTestServer.Tests.WatchReader;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>Watch on custom objects and pods with the apiserver's semantics, over raw HTTP.</summary>
public sealed class WatchTests
{
    private const string MergePatch = "application/merge-patch+json";

    [Fact]
    public async Task Watch_from_a_list_resourceVersion_sees_exactly_the_later_changes_in_order()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await api.PostAsync(ApiClient.Pools, Pool("a"));
        await api.PostAsync(ApiClient.Pools, Pool("b"));
        var listed = await api.GetAsync(ApiClient.Pools);

        var modified = await api.PatchAsync(ApiClient.Pools + "/a", Patch("10.9.0.0/24"), MergePatch);
        var added = await api.PostAsync(ApiClient.Pools, Pool("c"));
        await api.DeleteAsync(ApiClient.Pools + "/b");
        await using var watch = await OpenAsync(api, ApiClient.Pools, "&resourceVersion=" + listed.ResourceVersion);

        Assert.Equal(HttpStatusCode.OK, watch.Status);
        Assert.Equal("application/json", watch.ContentType);
        Assert.True(watch.Chunked);
        var events = new[] { await watch.NextAsync(), await watch.NextAsync(), await watch.NextAsync() };
        Assert.Equal(["MODIFIED a " + modified.ResourceVersion, "ADDED c " + added.ResourceVersion, "DELETED b " + server.CurrentResourceVersion],
            events.Select(e => $"{Type(e!)} {Name(e!)} {Rv(e!)}"));
        Assert.Equal("10.9.0.0/24", events[0]!["object"]!["spec"]!["range"]!.GetValue<string>());
    }

    [Fact]
    public async Task DELETED_carries_the_last_state_of_the_object_at_the_deletions_resourceVersion()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Pool("a", "10.4.0.0/24"));
        await using var watch = await OpenAsync(api, ApiClient.Pools, "&resourceVersion=" + created.ResourceVersion);

        await api.DeleteAsync(ApiClient.Pools + "/a");
        var deleted = await watch.NextAsync();

        Assert.Equal("DELETED", Type(deleted!));
        Assert.Equal("10.4.0.0/24", deleted!["object"]!["spec"]!["range"]!.GetValue<string>());
        Assert.Equal(created.Body!["metadata"]!["uid"]!.GetValue<string>(), deleted["object"]!["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(server.CurrentResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Rv(deleted));
        Assert.True(server.CurrentResourceVersion > created.Rv);
    }

    [Theory]
    [InlineData("")]
    [InlineData("&resourceVersion=")]
    [InlineData("&resourceVersion=0")]
    public async Task Watch_without_a_resourceVersion_starts_with_every_current_object_as_ADDED(string query)
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var a = await api.PostAsync(ApiClient.Pools, Pool("a"));
        var b = await api.PostAsync(ApiClient.Pools, Pool("b"));
        await api.PostAsync(ApiClient.Reservations, Reservation("10.0.0.1"));
        await using var watch = await OpenAsync(api, ApiClient.Pools, query);

        var c = await api.PostAsync(ApiClient.Pools, Pool("c"));
        var events = new[] { await watch.NextAsync(), await watch.NextAsync(), await watch.NextAsync() };

        Assert.Equal([$"ADDED a {a.ResourceVersion}", $"ADDED b {b.ResourceVersion}", $"ADDED c {c.ResourceVersion}"],
            events.Select(e => $"{Type(e!)} {Name(e!)} {Rv(e!)}"));
    }

    [Fact]
    public async Task A_resourceVersion_older_than_the_history_gets_one_ERROR_event_with_410_Expired_and_the_stream_ends()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var first = await api.PostAsync(ApiClient.Pools, Pool("a"));
        await api.PostAsync(ApiClient.Pools, Pool("b"));
        server.Compact();

        await using var watch = await OpenAsync(api, ApiClient.Pools, "&resourceVersion=" + first.ResourceVersion);
        var events = await watch.RestAsync();

        Assert.Equal(HttpStatusCode.OK, watch.Status);
        var error = Assert.Single(events);
        Assert.Equal("ERROR", Type(error));
        var status = error["object"]!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal(410, status["code"]!.GetValue<int>());
        Assert.Equal("Expired", status["reason"]!.GetValue<string>());
        Assert.Equal($"too old resource version: {first.Rv} ({server.CurrentResourceVersion})", status["message"]!.GetValue<string>());

        // From the compaction point on, the watch resumes.
        await using var resumed = await OpenAsync(api, ApiClient.Pools, "&resourceVersion=" + server.CurrentResourceVersion);
        var next = await api.PostAsync(ApiClient.Pools, Pool("c"));
        Assert.Equal("ADDED c " + next.ResourceVersion, await Describe(resumed.NextAsync()));
    }

    [Fact]
    public async Task A_LIST_with_resourceVersionMatch_Exact_at_a_compacted_revision_is_410_and_other_LISTs_are_unchanged()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var first = await api.PostAsync(ApiClient.Pools, Pool("a"));
        await api.PostAsync(ApiClient.Pools, Pool("b"));
        server.Compact();

        var exact = await api.GetAsync($"{ApiClient.Pools}?resourceVersion={first.ResourceVersion}&resourceVersionMatch=Exact");
        var plain = await api.GetAsync($"{ApiClient.Pools}?resourceVersion={first.ResourceVersion}");

        Assert.Equal(HttpStatusCode.Gone, exact.Status);
        Assert.Equal("Expired", exact.Reason);
        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.Equal(2, plain.Body!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task The_history_keeps_only_the_configured_number_of_changes()
    {
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { WatchHistory = 3 });
        using var api = new ApiClient(server);
        var rvs = new List<string>();
        for (var i = 0; i < 5; i++) rvs.Add((await api.PostAsync(ApiClient.Pools, Pool("p" + i))).ResourceVersion!);

        await using var tooOld = await OpenAsync(api, ApiClient.Pools, "&resourceVersion=" + rvs[0]);
        await using var oldestKept = await OpenAsync(api, ApiClient.Pools, "&resourceVersion=" + rvs[1]);

        Assert.Equal("ERROR", Type((await tooOld.NextAsync())!));
        Assert.Equal(["p2", "p3", "p4"], new[] { await oldestKept.NextAsync(), await oldestKept.NextAsync(), await oldestKept.NextAsync() }.Select(e => Name(e!)));
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_stream_cleanly()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await api.PostAsync(ApiClient.Pools, Pool("a"));

        await using var watch = await OpenAsync(api, ApiClient.Pools, "&timeoutSeconds=1");
        var events = await watch.RestAsync();

        Assert.Equal(["ADDED a"], events.Select(e => $"{Type(e)} {Name(e)}"));
        Assert.Equal(1, server.RequestCount(KubeVerbs.Watch, "ippools"));
    }

    [Fact]
    public async Task Bookmarks_arrive_only_when_allowed_and_name_the_current_resourceVersion()
    {
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { WatchBookmarkInterval = TimeSpan.FromMilliseconds(100) });
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Pool("a"));

        await using var bookmarked = await OpenAsync(api, ApiClient.Pools, "&allowWatchBookmarks=true&resourceVersion=" + created.ResourceVersion);
        var bookmark = await bookmarked.NextAsync();
        await using var plain = await OpenAsync(api, ApiClient.Pools, "&timeoutSeconds=1&resourceVersion=" + created.ResourceVersion);

        Assert.Equal("BOOKMARK", Type(bookmark!));
        Assert.Equal(new JsonObject
        {
            ["kind"] = "IPPool",
            ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = created.ResourceVersion },
        }.ToJsonString(), bookmark!["object"]!.ToJsonString());
        Assert.Empty(await plain.RestAsync());
    }

    [Fact]
    public async Task A_bookmark_follows_every_change_it_covers()
    {
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { WatchBookmarkInterval = TimeSpan.FromMilliseconds(20) });
        using var api = new ApiClient(server);
        await using var watch = await OpenAsync(api, ApiClient.Pools, "&allowWatchBookmarks=true&resourceVersion=0");

        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++) await api.PostAsync(ApiClient.Pools, Pool("p" + i));
        });
        long lastChange = 0;
        var seen = 0;
        while (seen < 30)
        {
            var e = (await watch.NextAsync())!;
            var rv = long.Parse(Rv(e), System.Globalization.CultureInfo.InvariantCulture);
            if (Type(e) == "BOOKMARK") Assert.True(rv >= lastChange, $"bookmark {rv} before change {lastChange}");
            else (lastChange, seen) = (rv, seen + 1);
        }
        await writes;
    }

    [Fact]
    public async Task Label_selector_filters_and_an_object_that_stops_matching_is_sent_as_DELETED()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Labelled(Pool("a"), "blue"));
        await using var watch = await OpenAsync(api, ApiClient.Pools, "&labelSelector=" + Uri.EscapeDataString("color in (blue,green),!frozen"));

        await api.PostAsync(ApiClient.Pools, Pool("unlabelled"));
        await api.PostAsync(ApiClient.Pools, Labelled(Pool("red"), "red"));
        var turned = await api.PatchAsync(ApiClient.Pools + "/red", Labels("green"), MergePatch);
        var dropped = await api.PatchAsync(ApiClient.Pools + "/a", Labels("yellow"), MergePatch);

        Assert.Equal("ADDED a " + created.ResourceVersion, await Describe(watch.NextAsync()));
        Assert.Equal("ADDED red " + turned.ResourceVersion, await Describe(watch.NextAsync()));
        var deleted = await watch.NextAsync();
        Assert.Equal("DELETED a " + dropped.ResourceVersion, await Describe(Task.FromResult(deleted)));
        // The previous state (still matching), stamped with the change's resourceVersion, as the cacher sends it.
        Assert.Equal("blue", deleted!["object"]!["metadata"]!["labels"]!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task Field_selector_on_metadata_name_filters()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await using var watch = await OpenAsync(api, ApiClient.Pools, "&fieldSelector=metadata.name%3Db");

        await api.PostAsync(ApiClient.Pools, Pool("a"));
        var b = await api.PostAsync(ApiClient.Pools, Pool("b"));

        Assert.Equal("ADDED b " + b.ResourceVersion, await Describe(watch.NextAsync()));
    }

    [Fact]
    public async Task An_unsupported_field_selector_is_400_before_any_stream()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var reply = await api.GetAsync(ApiClient.Pools + "?watch=true&fieldSelector=spec.range%3Dx");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("field label not supported: spec.range", reply.Message);
    }

    [Fact]
    public async Task Watch_across_all_namespaces_sees_every_namespace_and_pods_watch_by_node()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await using var pools = await OpenAsync(api, "apis/whereabouts.cni.cncf.io/v1alpha1/ippools");
        await using var pods = await OpenAsync(api, "api/v1/pods", "&fieldSelector=spec.nodeName%3Dnode-1");

        await api.PostAsync("apis/whereabouts.cni.cncf.io/v1alpha1/namespaces/ns-1/ippools", Pool("x"));
        await api.PostAsync("apis/whereabouts.cni.cncf.io/v1alpha1/namespaces/ns-2/ippools", Pool("y"));
        server.PutPod("default", "elsewhere", "node-2");
        server.PutPod("default", "here", "node-1");
        server.Delete("pods", "default", "here");

        var first = await pools.NextAsync();
        var second = await pools.NextAsync();
        Assert.Equal(["ns-1/x", "ns-2/y"], new[] { first, second }.Select(e => e!["object"]!["metadata"]!["namespace"] + "/" + Name(e)));
        Assert.Equal("ADDED here", await Describe(pods.NextAsync(), withRv: false));
        Assert.Equal("DELETED here", await Describe(pods.NextAsync(), withRv: false));
    }

    [Fact]
    public async Task A_watch_opened_amid_concurrent_writes_misses_and_duplicates_nothing()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var committed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var started = new TaskCompletionSource();
        var writers = Enumerable.Range(0, 20).Select(w => Task.Run(async () =>
        {
            var name = "p" + w;
            committed.Add(name + "@" + (await api.PostAsync(ApiClient.Pools, Pool(name))).ResourceVersion);
            for (var i = 0; i < 9; i++)
            {
                if (w == 0 && i == 2) started.TrySetResult();
                committed.Add(name + "@" + (await api.PatchAsync(ApiClient.Pools + "/" + name, Patch($"10.{w}.{i}.0/24"), MergePatch)).ResourceVersion);
            }
        })).ToList();

        await started.Task;
        var from = (await api.GetAsync(ApiClient.Pools + "?limit=1")).Rv;
        await using var fromRv = await OpenAsync(api, ApiClient.Pools, "&resourceVersion=" + from);
        await using var fromNow = await OpenAsync(api, ApiClient.Pools);
        await Task.WhenAll(writers);
        await api.PostAsync(ApiClient.Pools, Pool("marker"));

        var resumed = await UntilMarker(fromRv);
        var expected = committed.Select(Parse).Where(c => c.Rv > from).OrderBy(c => c.Rv).Select(c => $"{c.Name}@{c.Rv}");
        Assert.Equal(200, committed.Count);
        Assert.Equal(expected, resumed.Select(e => $"{Name(e)}@{Rv(e)}"));

        // From "now": the current objects at one revision S as ADDED (in name order), then every change after S, once each.
        var seen = (await UntilMarker(fromNow)).Select(e => $"{Type(e)} {Name(e)}@{Rv(e)}").ToList();
        var changes = committed.Select(Parse).OrderBy(c => c.Rv).ToList();
        bool ConsistentAt(long s) => seen.SequenceEqual(
            changes.Where(c => c.Rv <= s).GroupBy(c => c.Name).Select(g => g.Last()).OrderBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => $"ADDED {c.Name}@{c.Rv}")
                .Concat(changes.Where(c => c.Rv > s).Select(c => $"{(c.Rv == changes.First(f => f.Name == c.Name).Rv ? "ADDED" : "MODIFIED")} {c.Name}@{c.Rv}")));
        Assert.Contains(changes.Select(c => c.Rv).Prepend(0), ConsistentAt);
    }

    [Fact]
    public async Task CloseWatches_ends_every_open_stream_and_new_watches_still_work()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await using var one = await OpenAsync(api, ApiClient.Pools);
        await using var two = await OpenAsync(api, ApiClient.Reservations);
        await api.PostAsync(ApiClient.Pools, Pool("a"));
        Assert.Equal("ADDED a", await Describe(one.NextAsync(), withRv: false));

        server.CloseWatches();

        Assert.Empty(await one.RestAsync());
        Assert.Empty(await two.RestAsync());
        await using var again = await OpenAsync(api, ApiClient.Pools);
        Assert.Equal("ADDED a", await Describe(again.NextAsync(), withRv: false));
    }

    [Fact]
    public async Task Disposing_the_server_ends_open_watches()
    {
        var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await using var watch = await OpenAsync(api, ApiClient.Pools);
        await using var bookmarked = await OpenAsync(api, ApiClient.Reservations, "&allowWatchBookmarks=true");

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        // The stream ends, cleanly or cut off; either way the reader is not left waiting.
        await Ends(watch);
        await Ends(bookmarked);
    }

    [Fact]
    public async Task A_scripted_drop_aborts_the_watch_request_and_it_is_counted()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.FailNext(KubeVerbs.Watch, FaultKind.DropConnection);

        await Assert.ThrowsAsync<HttpRequestException>(() => OpenAsync(api, ApiClient.Pools));
        await using var next = await OpenAsync(api, ApiClient.Pools);

        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.Equal(2, server.RequestCount(KubeVerbs.Watch));
        Assert.Equal(0, server.RequestCount(KubeVerbs.List));
    }

    [Fact]
    public async Task A_pod_deleted_over_http_is_a_DELETED_event_to_its_watchers()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.PutPod("default", "a", "node-1");
        await using var watch = await OpenAsync(api, "api/v1/pods");

        Assert.Equal("ADDED a", await Describe(watch.NextAsync(), withRv: false));
        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync("api/v1/namespaces/default/pods/a")).Status);
        Assert.Equal("DELETED a", await Describe(watch.NextAsync(), withRv: false));
    }

    private static async Task<List<JsonObject>> UntilMarker(WatchReader watch)
    {
        var events = new List<JsonObject>();
        while ((await watch.NextChangeAsync())! is var e && Name(e) != "marker") events.Add(e);
        return events;
    }

    private static async Task Ends(WatchReader watch)
    {
        try
        {
            while (await watch.NextAsync() is not null) { }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
        }
    }

    private static (string Name, long Rv) Parse(string committed) =>
        (committed.Split('@')[0], long.Parse(committed.Split('@')[1], System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<string> Describe(Task<JsonObject?> next, bool withRv = true)
    {
        var e = (await next)!;
        return withRv ? $"{Type(e)} {Name(e)} {Rv(e)}" : $"{Type(e)} {Name(e)}";
    }

    private static JsonObject Patch(string range) => new() { ["spec"] = new JsonObject { ["range"] = range } };

    private static JsonObject Labels(string color) =>
        new() { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["color"] = color } } };

    private static JsonObject Labelled(JsonObject obj, string color)
    {
        obj["metadata"]!["labels"] = new JsonObject { ["color"] = color };
        return obj;
    }
}
