using Whereabouts.Core.Config;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>
/// The stores a process has opened, one per datastore configuration, kept for the next request: a
/// long-running process keeps its connections warm; the plugin opens at most one and closes it at exit.
/// A store is logged to through the log of the request that opened it.
/// </summary>
public sealed class StoreCache(StoreFactory open) : IAsyncDisposable
{
    readonly Dictionary<string, IPoolStore> stores = [];

    public IPoolStore Get(DatastoreSettings settings, Log log)
    {
        var key = Key(settings);
        lock (stores)
        {
            if (stores.TryGetValue(key, out var store)) return store;
            store = open(settings, log);
            stores[key] = store;
            return store;
        }
    }

    /// <summary>The settings as text: a record holding an ImmutableArray compares the array by reference.</summary>
    static string Key(DatastoreSettings settings) => settings switch
    {
        DatastoreSettings.File f => $"file\0{f.Dir}",
        DatastoreSettings.Kubernetes k => $"kubernetes\0{k.Kubeconfig}",
        DatastoreSettings.Etcd e => $"etcd\0{string.Join(",", e.Endpoints)}\0{e.Username}\0{e.Password}\0{e.KeyFile}\0{e.CertFile}\0{e.CaCertFile}",
        _ => throw new ArgumentOutOfRangeException(nameof(settings)),
    };

    public async ValueTask DisposeAsync()
    {
        IPoolStore[] all;
        lock (stores)
        {
            all = [.. stores.Values];
            stores.Clear();
        }
        foreach (var store in all) await store.DisposeAsync();
    }
}
