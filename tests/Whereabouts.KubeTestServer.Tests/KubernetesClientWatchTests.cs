using System.Text.Json;
using k8s;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>KubernetesClient's own watch (WatcherExt.WatchAsync) against the server, as the node agent uses it.</summary>
public sealed class KubernetesClientWatchTests : IDisposable
{
    private const string Group = "whereabouts.cni.cncf.io";
    private const string Version = "v1alpha1";
    private readonly string _dir = Directory.CreateTempSubdirectory("kubetestserver-").FullName;

    [Fact]
    public async Task Watch_from_a_listed_resourceVersion_sees_the_later_changes_in_order_and_bookmarks()
    {
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { WatchBookmarkInterval = TimeSpan.FromMilliseconds(100) });
        using var client = Client(server);
        using var api = new ApiClient(server);
        await api.PostAsync(ApiClient.Pools, Pool("a"));
        var listed = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Version, ApiClient.Ns, "ippools");
        var rv = listed.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        var b = await api.PostAsync(ApiClient.Pools, Pool("b"));
        await api.DeleteAsync(ApiClient.Pools + "/a");

        var seen = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var (type, item) in Watch(client, rv, stop.Token))
        {
            seen.Add(type == WatchEventType.Bookmark ? "Bookmark" : $"{type} {Name(item)} {Rv(item)}");
            if (type == WatchEventType.Bookmark) break;
        }

        Assert.Equal([$"Added b {b.ResourceVersion}", $"Deleted a {server.CurrentResourceVersion}", "Bookmark"], seen);
    }

    [Fact]
    public async Task Too_old_resourceVersion_reaches_onError_as_a_KubernetesException_with_Status_410_and_the_enumeration_ends()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var client = Client(server);
        using var api = new ApiClient(server);
        var first = await api.PostAsync(ApiClient.Pools, Pool("a"));
        await api.PostAsync(ApiClient.Pools, Pool("b"));
        server.Compact();

        var errors = new List<Exception>();
        var items = new List<WatchEventType>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var (type, _) in Watch(client, first.ResourceVersion, stop.Token, errors.Add)) items.Add(type);

        // KubernetesClient does not throw and yields no item for the ERROR event: it hands the Status to onError only.
        Assert.Empty(items);
        var expired = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, expired.Status.Code);
        Assert.Equal("Expired", expired.Status.Reason);
        Assert.False(stop.IsCancellationRequested);
    }

    [Fact]
    public async Task Without_onError_a_too_old_watch_is_an_empty_enumeration_that_ends()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var client = Client(server);
        using var api = new ApiClient(server);
        var first = await api.PostAsync(ApiClient.Pools, Pool("a"));
        await api.PostAsync(ApiClient.Pools, Pool("b"));
        server.Compact();

        var items = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var _ in Watch(client, first.ResourceVersion, stop.Token)) items++;

        Assert.Equal(0, items);
        Assert.False(stop.IsCancellationRequested);
    }

    [Fact]
    public async Task TimeoutSeconds_and_CloseWatches_end_the_enumeration()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var client = Client(server);
        using var api = new ApiClient(server);
        await api.PostAsync(ApiClient.Pools, Pool("a"));

        var timedOut = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var (type, item) in Watch(client, null, stop.Token, timeoutSeconds: 1)) timedOut.Add($"{type} {Name(item)}");

        var closed = new List<string>();
        await foreach (var (type, item) in Watch(client, null, stop.Token))
        {
            closed.Add($"{type} {Name(item)}");
            server.CloseWatches();
        }

        Assert.Equal(["Added a"], timedOut);
        Assert.Equal(["Added a"], closed);
        Assert.False(stop.IsCancellationRequested);
    }

    [Fact]
    public async Task The_non_obsolete_WatchListNamespacedCustomObjectAsync_sees_the_same_events()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var client = Client(server);
        using var api = new ApiClient(server);
        var a = await api.PostAsync(ApiClient.Pools, Pool("a"));

        var seen = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var (type, item) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(
            Group, Version, ApiClient.Ns, "ippools", timeoutSeconds: 1, cancellationToken: stop.Token))
            seen.Add($"{type} {Name((JsonElement)item)} {Rv((JsonElement)item)}");

        Assert.Equal([$"Added a {a.ResourceVersion}"], seen);
    }

    // The call the brief and the node agent use; WatcherExt.WatchAsync is marked obsolete in 21.x but still ships.
#pragma warning disable CS0618
    private static IAsyncEnumerable<(WatchEventType, JsonElement)> Watch(Kubernetes client, string? rv, CancellationToken token,
        Action<Exception>? onError = null, int timeoutSeconds = 30) =>
        client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(Group, Version, ApiClient.Ns, "ippools",
                watch: true, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: timeoutSeconds, cancellationToken: token)
            .WatchAsync<JsonElement, object>(onError, token);
#pragma warning restore CS0618

    private static string? Name(JsonElement o) => o.GetProperty("metadata").GetProperty("name").GetString();

    private static string? Rv(JsonElement o) => o.GetProperty("metadata").GetProperty("resourceVersion").GetString();

    private Kubernetes Client(KubeTestServer server) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), ApiClient.Ns)));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
