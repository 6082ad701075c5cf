namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// What a failed call to the API server means for the caller, as a <see cref="StoreUnavailableException"/>:
/// transient (no answer, 429, 5xx, 408), which <see cref="ConflictRetry"/> retries, or permanent (401, 403, a
/// missing CRD, any other 4xx), which fails the request at once. Pure mapping: nothing here waits or retries;
/// a server's Retry-After is passed on for the retry loop to honour.
/// </summary>
static class KubeFailure
{
    /// <summary>A call that got no answer (connection refused or reset, timeout) as a transient failure.</summary>
    public static async Task<KubeResponse> Transported(Func<Task<KubeResponse>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (KubeTransportException e)
        {
            throw new StoreUnavailableException($"{what}: {e.Message}", transient: true, e);
        }
    }

    /// <summary>A 404 about this object (the Status names it), not about a missing CRD, namespace or route.</summary>
    public static bool IsMissingObject(KubeResponse r, string name) => r.Code == 404 && r.DetailsName == name;

    /// <summary>The failure a non-2xx answer means; <paramref name="api"/> and <paramref name="config"/> name where to look.</summary>
    public static StoreUnavailableException Of(KubeResponse r, string what, KubeApi api, Kubeconfig config)
    {
        var message = r.Message;
        return r.Code switch
        {
            401 => new($"the Kubernetes API {api.Server} refused the credentials of kubeconfig {config.Source} (401 Unauthorized: {message}); " +
                       "renew the service-account token in the kubeconfig or fix the kubeconfig's user", transient: false),
            403 => new($"the Kubernetes API {api.Server} forbids the plugin to {what} in namespace {api.Namespace} (403 Forbidden: {message}); " +
                       "grant its service account get, list, create, update and delete on ippools and overlappingrangeipreservations", transient: false),
            429 => new($"{what}: the Kubernetes API is throttling (429: {message})", transient: true) { RetryAfter = RetryAfter(r) },
            404 => new($"{what}: {message} (404); install the whereabouts CRDs (deploy/crds) and check that namespace {api.Namespace} exists", transient: false),
            408 or >= 500 => new($"{what}: {r.Code} {message}", transient: true) { RetryAfter = RetryAfter(r) },
            _ => new($"{what}: the Kubernetes API answered {r.Code} {r.Reason}: {message}", transient: false),
        };
    }

    /// <summary>The server's Retry-After, as the retry loop's minimum wait (none when absent or already past).</summary>
    public static TimeSpan RetryAfter(KubeResponse r) => r.RetryAfter is { } ra && ra > TimeSpan.Zero ? ra : TimeSpan.Zero;

    /// <summary>
    /// The object may not grow any more: etcd's request limit (1.5 MiB by default), which the apiserver passes on
    /// as a 500 Status "etcdserver: request is too large" (nothing was stored), or the apiserver's own body
    /// limit, 413 RequestEntityTooLarge.
    /// </summary>
    public static KubeResponse StorablePool(KubeResponse r, string pool, KubeApi api) =>
        r.Code == 413 || (r.Code >= 500 && r.Message.Contains("request is too large", StringComparison.Ordinal))
            ? throw StoreUnavailableException.PoolTooLarge($"IPPool {api.Namespace}/{pool}", $"{r.Code} {r.Message}")
            : r;
}
