using System.Text.Json;

using Whereabouts.Kube;

namespace Whereabouts.Node.Kube;

/// <summary>
/// The namespace's NodeSlicePools as last watched, so node-slice mode reads this node's slice with no request.
/// A slice assigned a moment ago and not yet seen is "try again later", which the runtime retries.
/// </summary>
public sealed class NodeSliceCache : IWatchedCache
{
    readonly Dictionary<string, JsonElement> pools = [];
    volatile bool synced;

    /// <summary>The pool as watched (null: it does not exist), or false while the watch is not synced.</summary>
    public bool TryFind(string name, out JsonElement? pool)
    {
        lock (pools)
        {
            pool = pools.TryGetValue(name, out var p) ? p : null;
            return synced;
        }
    }

    public void Reset(IReadOnlyList<JsonElement> items)
    {
        lock (pools)
        {
            pools.Clear();
            foreach (var item in items) Put(item);
        }
        synced = true;
    }

    public void Put(JsonElement item)
    {
        var name = ObjectWatch.Text(item.TryGetProperty("metadata", out var m) ? m : default, "name");
        if (name.Length == 0) return;
        lock (pools) pools[name] = item.Clone();
    }

    public void Remove(JsonElement item)
    {
        var name = ObjectWatch.Text(item.TryGetProperty("metadata", out var m) ? m : default, "name");
        lock (pools) pools.Remove(name);
    }

    public void Unsync() => synced = false;

    public void Heard() { }
}
