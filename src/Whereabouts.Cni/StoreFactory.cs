using Whereabouts.Core.Config;
using Whereabouts.Stores;
using Whereabouts.Stores.FileStore;

namespace Whereabouts.Cni;

/// <summary>Opens the datastore the configuration names.</summary>
public delegate IPoolStore StoreFactory(DatastoreSettings settings, Log log);

public static class Stores
{
    public static IPoolStore Open(DatastoreSettings settings, Log log) => settings switch
    {
        DatastoreSettings.File f => new FilePoolStore(f.Dir),
        DatastoreSettings.Kubernetes => throw new StoreUnavailableException(
            "the kubernetes datastore is not available in this build; use \"datastore\": \"file\"", transient: false),
        DatastoreSettings.Etcd => throw new StoreUnavailableException(
            "the etcd datastore is not available in this build; use \"datastore\": \"file\"", transient: false),
        _ => throw new ArgumentOutOfRangeException(nameof(settings)),
    };
}
