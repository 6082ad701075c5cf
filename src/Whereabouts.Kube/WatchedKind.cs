using System.Text.Json;
using k8s;

namespace Whereabouts.Kube;

/// <summary>
/// One kind of objects an <see cref="ObjectWatch"/> lists and watches: how to fetch a page of the list (a list
/// object with items and metadata.continue/resourceVersion) and how to watch from a resourceVersion.
/// </summary>
public sealed record WatchedKind(
    string Name,
    Func<string?, int, CancellationToken, Task<JsonElement>> ListPage,
    Func<string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, object)>> Watch)
{
    const string WhereaboutsGroup = "whereabouts.cni.cncf.io";
    const string WhereaboutsVersion = "v1alpha1";

    /// <summary>The connection's namespace's whereabouts objects of <paramref name="plural"/>.</summary>
    public static WatchedKind Whereabouts(KubeClientConnection kube, string plural) => new(
        $"{plural} in {kube.Namespace}",
        async (token, limit, ct) => AsElement(await kube.Client.CustomObjects.ListNamespacedCustomObjectAsync(
            WhereaboutsGroup, WhereaboutsVersion, kube.Namespace, plural, continueParameter: token, limit: limit, cancellationToken: ct)),
        (version, seconds, onError, ct) => Boxed(kube.Client.CustomObjects.WatchListNamespacedCustomObjectAsync(
            WhereaboutsGroup, WhereaboutsVersion, kube.Namespace, plural, allowWatchBookmarks: true, resourceVersion: version,
            timeoutSeconds: seconds, onError: onError, cancellationToken: ct)));

    /// <summary>A namespaced custom resource in every namespace (NetworkAttachmentDefinitions).</summary>
    public static WatchedKind EveryNamespace(KubeClientConnection kube, string group, string version, string plural) => new(
        $"{plural} in every namespace",
        async (token, limit, ct) => AsElement(await kube.Client.CustomObjects.ListClusterCustomObjectAsync(
            group, version, plural, continueParameter: token, limit: limit, cancellationToken: ct)),
        (from, seconds, onError, ct) => Boxed(kube.Client.CustomObjects.WatchListClusterCustomObjectAsync(
            group, version, plural, allowWatchBookmarks: true, resourceVersion: from,
            timeoutSeconds: seconds, onError: onError, cancellationToken: ct)));

    /// <summary>Every pod of the cluster.</summary>
    public static WatchedKind Pods(KubeClientConnection kube) => new(
        "pods in every namespace",
        async (token, limit, ct) => AsElement(await kube.Client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: token, limit: limit, cancellationToken: ct)),
        (version, seconds, onError, ct) => Boxed(kube.Client.CoreV1.WatchListPodForAllNamespacesAsync(
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: seconds, onError: onError, cancellationToken: ct)));

    /// <summary>Every node of the cluster.</summary>
    public static WatchedKind Nodes(KubeClientConnection kube) => new(
        "nodes",
        async (token, limit, ct) => AsElement(await kube.Client.CoreV1.ListNodeAsync(continueParameter: token, limit: limit, cancellationToken: ct)),
        (version, seconds, onError, ct) => Boxed(kube.Client.CoreV1.WatchListNodeAsync(
            allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: seconds, onError: onError, cancellationToken: ct)));

    /// <summary>An object as JSON: custom objects arrive as elements, typed ones are written with KubernetesClient's own serializer.</summary>
    public static JsonElement AsElement(object? body) => body switch
    {
        JsonElement e => e,
        null => default,
        _ => JsonDocument.Parse(KubernetesJson.Serialize(body)).RootElement,
    };

    static async IAsyncEnumerable<(WatchEventType, object)> Boxed<T>(IAsyncEnumerable<(WatchEventType, T)> events)
    {
        await foreach (var (type, item) in events) yield return (type, item!);
    }
}
