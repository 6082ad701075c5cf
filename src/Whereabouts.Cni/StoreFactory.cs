using System.Globalization;
using Whereabouts.Core.Config;
using Whereabouts.Stores;
using Whereabouts.Stores.Etcd;
using Whereabouts.Stores.FileStore;
using Whereabouts.Stores.Kubernetes;
using Whereabouts.Stores.Tls;

namespace Whereabouts.Cni;

/// <summary>Opens the datastore the configuration names.</summary>
public delegate IPoolStore StoreFactory(DatastoreSettings settings, Log log);

/// <summary>
/// What the process opening stores chooses for them. <paramref name="RetryDeadline"/> caps etcd's request and
/// login timeouts (a request must not outlive the deadline of the request it serves); <paramref name="Hooks"/>
/// are the process-wide effects it allows (none by default).
/// </summary>
public sealed record StoreOptions(TimeSpan? RetryDeadline = null, StoreHooks? Hooks = null);

public static class Stores
{
    /// <summary>A factory that opens every store with <paramref name="options"/>.</summary>
    public static StoreFactory Opener(StoreOptions options) => (settings, log) => Open(settings, log, options);

    public static IPoolStore Open(DatastoreSettings settings, Log log, StoreOptions options) => settings switch
    {
        DatastoreSettings.File f => new FilePoolStore(f.Dir),
        DatastoreSettings.Kubernetes k => KubernetesPoolStore.Open(k.Kubeconfig, log, options.Hooks),
        DatastoreSettings.Etcd e => new EtcdPoolStore(EtcdOptionsFor(e, options), log),
        _ => throw new ArgumentOutOfRangeException(nameof(settings)),
    };

    /// <summary>
    /// The node-slice port of a store this factory opened: the Kubernetes store's, over its connection; null for
    /// the other stores, which have no NodeSlicePools (unless a store offers the port itself, as a test double may).
    /// </summary>
    public static INodeSlices? NodeSlicesOf(IPoolStore store) =>
        store as INodeSlices ?? (store is KubernetesPoolStore kube ? new KubernetesNodeSlices(kube) : null);

    static EtcdOptions EtcdOptionsFor(DatastoreSettings.Etcd settings, StoreOptions options)
    {
        var etcd = EtcdOptions.From(settings) with { Hooks = options.Hooks ?? StoreHooks.None };
        return options.RetryDeadline is { } deadline ? etcd.Within(deadline) : etcd;
    }

    /// <summary>
    /// The CNI plugin's choice, one request per process: the retry deadline from WHEREABOUTS_RETRY_DEADLINE_MS,
    /// and the process's TLS trust scoped to the store's own CA (<see cref="CustomRoots.LimitProcessTrustTo"/>).
    /// </summary>
    public static StoreOptions PluginOptions(Func<string, string?> getenv) =>
        RetryDeadlineFrom(getenv) with { Hooks = new StoreHooks(CustomRoots.LimitProcessTrustTo) };

    /// <summary>WHEREABOUTS_RETRY_DEADLINE_MS, when set to a positive number of milliseconds; no hooks.</summary>
    public static StoreOptions RetryDeadlineFrom(Func<string, string?> getenv) =>
        int.TryParse(getenv("WHEREABOUTS_RETRY_DEADLINE_MS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? new StoreOptions(TimeSpan.FromMilliseconds(ms))
            : new StoreOptions();
}
