using System.Globalization;
using System.Text.Json;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.Kubernetes;

using Whereabouts.Kube;

namespace Whereabouts.Node.Kube;

/// <summary>
/// The IPPools of the namespace as last seen, fed by the watch (<see cref="PoolWatch"/>), by the store's own
/// writes and by the reads that refresh a pool after a lost race. Decisions read it; it is never what makes a
/// write safe: every write is still guarded by the version it was decided on, so a stale entry costs one lost
/// race, never an address handed out twice.
/// <para>
/// A newer entry is never replaced by an older one. resourceVersions are opaque by the API's contract, but the
/// API server's are etcd revisions: when both parse as integers they are compared, which keeps a watch event
/// that was in flight from undoing a fresher read; otherwise the latest arrival wins.
/// </para>
/// </summary>
public sealed class PoolCache(TimeProvider clock) : IWatchedCache
{
    /// <summary>A pool's entry: its snapshot (null: known not to exist), or stale: read it before deciding.</summary>
    sealed record Entry(PoolSnapshot? Snapshot, bool Stale);

    readonly Dictionary<string, Entry> entries = [];
    long lastHeard = clock.GetTimestamp();

    /// <summary>True once a full list has been loaded and the watch is running from it.</summary>
    public bool Synced { get; private set; }

    /// <summary>How long since the watch last confirmed the cache (an event, a bookmark or a list).</summary>
    public TimeSpan Age => clock.GetElapsedTime(Interlocked.Read(ref lastHeard));

    /// <summary>The pool as cached (a missing pool as <see cref="PoolSnapshot.Missing"/>), or null when it must be read from the store.</summary>
    public PoolSnapshot? Find(PoolKey key)
    {
        lock (entries)
        {
            if (!Synced) return null;
            if (!entries.TryGetValue(key.Name, out var entry)) return PoolSnapshot.Missing(key);
            if (entry.Stale) return null;
            return entry.Snapshot is { } s ? s with { Key = key } : PoolSnapshot.Missing(key);
        }
    }

    /// <summary>A full list: replaces everything; from now on the cache answers.</summary>
    public void Reset(IEnumerable<PoolSnapshot> pools)
    {
        lock (entries)
        {
            entries.Clear();
            foreach (var p in pools) entries[p.Key.Name] = new Entry(p, false);
            Synced = true;
        }
        Heard();
    }

    /// <summary>The watch lost its place (it relists): until then, read the store.</summary>
    public void Unsync()
    {
        lock (entries) Synced = false;
    }

    public void Put(PoolSnapshot pool)
    {
        lock (entries)
            if (!entries.TryGetValue(pool.Key.Name, out var had) || had.Stale || !IsOlder(pool.Version.IfNone(default(StoreVersion)), had.Snapshot))
                entries[pool.Key.Name] = new Entry(pool, false);
    }

    /// <summary>The pool was deleted at <paramref name="version"/>.</summary>
    public void Remove(string name, StoreVersion version)
    {
        lock (entries)
            if (!entries.TryGetValue(name, out var had) || had.Stale || !IsOlder(version, had.Snapshot))
                entries[name] = new Entry(null, false);
    }

    /// <summary>A write of the pool lost its race or its answer: read it before the next decision.</summary>
    public void Invalidate(string name)
    {
        lock (entries) entries[name] = new Entry(null, true);
    }

    void IWatchedCache.Reset(IReadOnlyList<JsonElement> items) =>
        Reset(items.Select(KubernetesPoolStore.DecodePool).OfType<PoolSnapshot>());

    void IWatchedCache.Put(JsonElement item)
    {
        if (KubernetesPoolStore.DecodePool(item) is { } pool) Put(pool);
    }

    void IWatchedCache.Remove(JsonElement item) =>
        Remove(ObjectWatch.Text(item.GetProperty("metadata"), "name"), new StoreVersion(ObjectWatch.VersionOf(item)));

    public void Heard() => Interlocked.Exchange(ref lastHeard, clock.GetTimestamp());

    static bool IsOlder(StoreVersion version, PoolSnapshot? than) =>
        than is { } t && t.Version.Case is StoreVersion had && Revision(version) is { } a && Revision(had) is { } b && a < b;

    static long? Revision(StoreVersion v) =>
        long.TryParse(v.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
