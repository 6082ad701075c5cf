namespace Whereabouts.KubeTestServer;

/// <summary>Start-up settings for <see cref="KubeTestServer"/>. Every property has a usable default.</summary>
public sealed class KubeTestServerOptions
{
    /// <summary>Bearer token clients must send. Null generates a random one.</summary>
    public string? Token { get; init; }

    /// <summary>Seed for the fault injector's random draws. Null seeds from the clock.</summary>
    public int? Seed { get; init; }

    /// <summary>Kinds known up front; defaults to the three whereabouts CRDs.</summary>
    public IReadOnlyList<CustomResourceType> Resources { get; init; } = CustomResourceType.Whereabouts;

    /// <summary>
    /// The real apiserver refuses a PUT on a custom object without metadata.resourceVersion
    /// (422 "must be specified for an update"), because custom resources disallow unconditional
    /// update. Set true to accept it as a blind overwrite instead.
    /// </summary>
    public bool AllowUnconditionalUpdate { get; init; }

    /// <summary>Clock for creationTimestamp; tests can pin it. Defaults to UTC now.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// etcd's request limit (--max-request-bytes, 1.5 MiB by default): a create, update or patch whose stored
    /// object (as JSON) would be larger is refused exactly as the apiserver passes etcd's refusal on, a 500
    /// Status with message "etcdserver: request is too large" and no reason; nothing is stored. Null: no limit.
    /// </summary>
    public int? MaxObjectBytes { get; init; }

    /// <summary>
    /// The apiserver's own limit on a write's body (3 MiB in kube-apiserver): a larger body is refused with
    /// 413 RequestEntityTooLarge "Request entity too large: limit is N". Null: no limit.
    /// </summary>
    public int? MaxRequestBodyBytes { get; init; }

    /// <summary>
    /// How many changes the watch history keeps (the apiserver's watch cache keeps a bounded window too). A watch
    /// from a resourceVersion older than the window gets an ERROR event with a 410 Expired Status.
    /// </summary>
    public int WatchHistory { get; init; } = 1000;

    /// <summary>How long a watch without timeoutSeconds stays open before the server ends it cleanly.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How often a watch with allowWatchBookmarks=true gets a BOOKMARK. The apiserver sends one about every
    /// minute; the test server sends them every second by default so tests see them without waiting long.
    /// </summary>
    public TimeSpan WatchBookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The authorizer: a request it refuses gets 403 Forbidden, as RBAC refuses it on the apiserver, after
    /// authentication and before anything is read or written. Null allows everything.
    /// </summary>
    public Func<RequestAttributes, bool>? Authorize { get; init; }
}
