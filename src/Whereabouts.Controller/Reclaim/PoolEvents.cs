using Whereabouts.Controller.Events;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Controller.Reclaim;

/// <summary>
/// The Events the controller records on IPPools: one per reclaimed address (Normal, AddressReclaimed), and one
/// when a pool becomes nearly full (over 90 %, Warning PoolNearlyFull) or exhausted (Warning PoolExhausted).
/// A fullness Event is recorded when the pool reaches that level, not on every sweep; a restarted leader
/// reports each full pool once.
/// </summary>
public sealed class PoolEvents(IEventSink sink, string poolNamespace)
{
    readonly Dictionary<string, Fullness> levels = new(StringComparer.Ordinal);

    EventSubject PoolObject(string pool) => new("whereabouts.cni.cncf.io/v1alpha1", "IPPool", poolNamespace, pool);

    public async Task Reclaimed(Leak leak, CancellationToken ct)
    {
        var address = leak.Pool.Range.AddressAt(leak.Allocation.Offset);
        var owner = leak.Allocation.Owner;
        var why = leak.Reason == ReclaimReason.PodGone ? "the pod no longer exists" : "the pod has terminated";
        await sink.Record(PoolObject(leak.Pool.Name), "Normal", "AddressReclaimed",
            $"released {address} held by {owner.PodRef} (interface {(owner.IfName.Length > 0 ? owner.IfName : "unnamed")}, container {owner.ContainerId}): {why} and its CNI DEL never came", ct);
    }

    public async Task Usage(IReadOnlyList<PoolUsage> pools, CancellationToken ct)
    {
        foreach (var u in pools)
        {
            var level = Fullnesses.Of(u);
            var before = levels.TryGetValue(u.Pool, out var was) ? was : Fullness.Normal;
            levels[u.Pool] = level;
            if (level <= before) continue;
            var (reason, text) = level == Fullness.Exhausted
                ? ("PoolExhausted", $"all {u.Size:0} usable addresses of {u.Range} are allocated: new pods on this network fail to start until addresses are released or the range grows")
                : ("PoolNearlyFull", $"{u.Used:0} of {u.Size:0} usable addresses of {u.Range} are allocated ({u.Fraction:P0})");
            await sink.Record(PoolObject(u.Pool), "Warning", reason, text, ct);
        }
        foreach (var gone in levels.Keys.Where(k => !pools.Any(p => p.Pool == k)).ToList()) levels.Remove(gone);
    }
}
