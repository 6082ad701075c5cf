using System.Globalization;
using Whereabouts.Core.Config;
using Whereabouts.Stores;
using Whereabouts.Stores.Etcd;
using Whereabouts.Stores.FileStore;

namespace Whereabouts.Cni;

/// <summary>Opens the datastore the configuration names.</summary>
public delegate IPoolStore StoreFactory(DatastoreSettings settings, Log log);

/// <summary>
/// What the process opening stores chooses for them. <paramref name="RetryDeadline"/> caps etcd's request and
/// login timeouts (a request must not outlive the deadline of the request it serves).
/// </summary>
public sealed record StoreOptions(TimeSpan? RetryDeadline = null);

public static class Stores
{
    /// <summary>A factory that opens every store with <paramref name="options"/>.</summary>
    public static StoreFactory Opener(StoreOptions options) => (settings, log) => Open(settings, log, options);

    /// <summary>The plugin's stores: the retry deadline from WHEREABOUTS_RETRY_DEADLINE_MS.</summary>
    public static IPoolStore Open(DatastoreSettings settings, Log log) => Open(settings, log, FromEnvironment(Environment.GetEnvironmentVariable));

    public static IPoolStore Open(DatastoreSettings settings, Log log, StoreOptions options) => settings switch
    {
        DatastoreSettings.File f => new FilePoolStore(f.Dir),
        DatastoreSettings.Kubernetes k => Whereabouts.Stores.Kubernetes.KubernetesPoolStore.Open(k.Kubeconfig, log),
        DatastoreSettings.Etcd e => new EtcdPoolStore(EtcdOptionsFor(e, options), log),
        _ => throw new ArgumentOutOfRangeException(nameof(settings)),
    };

    static EtcdOptions EtcdOptionsFor(DatastoreSettings.Etcd settings, StoreOptions options)
    {
        var etcd = EtcdOptions.From(settings) with { ScopeProcessTrustToCaFile = true };
        return options.RetryDeadline is { } deadline ? etcd.Within(deadline) : etcd;
    }

    /// <summary>WHEREABOUTS_RETRY_DEADLINE_MS, when set to a positive number of milliseconds.</summary>
    public static StoreOptions FromEnvironment(Func<string, string?> getenv) =>
        int.TryParse(getenv("WHEREABOUTS_RETRY_DEADLINE_MS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? new StoreOptions(TimeSpan.FromMilliseconds(ms))
            : new StoreOptions();
}
