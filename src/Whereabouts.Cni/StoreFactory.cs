using Whereabouts.Core.Config;
using Whereabouts.Stores;
using Whereabouts.Stores.Etcd;
using Whereabouts.Stores.FileStore;

namespace Whereabouts.Cni;

/// <summary>Opens the datastore the configuration names.</summary>
public delegate IPoolStore StoreFactory(DatastoreSettings settings, Log log);

public static class Stores
{
    public static IPoolStore Open(DatastoreSettings settings, Log log) => settings switch
    {
        DatastoreSettings.File f => new FilePoolStore(f.Dir),
        DatastoreSettings.Kubernetes k => Whereabouts.Stores.Kubernetes.KubernetesPoolStore.Open(k.Kubeconfig, log),
        DatastoreSettings.Etcd e => EtcdPoolStore.ForPlugin(e, log),
        _ => throw new ArgumentOutOfRangeException(nameof(settings)),
    };
}
