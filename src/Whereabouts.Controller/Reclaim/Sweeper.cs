using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;
using Whereabouts.Stores;

namespace Whereabouts.Controller.Reclaim;

/// <summary>What one sweep saw and did.</summary>
public sealed record SweepReport(
    ImmutableArray<PoolSnapshot> Pools, ImmutableArray<Leak> Released, ImmutableArray<ReservationEntry> OrphansRemoved)
{
    /// <summary>When an allocation or reservation now waiting out its grace period is due: the next sweep should come by then.</summary>
    public DateTimeOffset? NextDue { get; init; }
}

/// <summary>
/// One pass over every pool: read, decide on the pod index, read the suspects' pods live, decide again, then
/// release through the store's compare-and-swap loop. The sightings (how long each allocation and each
/// unbacked reservation has been seen) live here between sweeps; one sweep runs at a time.
/// <code>
///   reservations ← list;  pools ← list          (in ADD's write order: a reservation seen without its pool is an ADD in flight or an orphan)
///   verdicts ← Leaks.Decide(pools, index)       → pods to confirm
///   verdicts ← Leaks.Decide(pools, index ⊕ live)
///   each pool with leaks: Reclaimer.Release, i.e. ConflictRetry(load → ReclaimPlan.For → write)
///   each orphan past grace: load the pools that could back it; delete it only if still unbacked, only from the same owner
/// </code>
/// </summary>
public sealed class Sweeper(
    IPoolStore store, Func<string, PodFact> indexed,
    Func<ImmutableArray<string>, CancellationToken, Task<ImmutableDictionary<string, PodFact>>> confirm,
    TimeSpan grace, Log log, TimeProvider clock)
{
    ImmutableDictionary<Held, DateTimeOffset> seenAllocations = ImmutableDictionary<Held, DateTimeOffset>.Empty;
    ImmutableDictionary<ReservationEntry, DateTimeOffset> seenOrphans = ImmutableDictionary<ReservationEntry, DateTimeOffset>.Empty;
    readonly SemaphoreSlim one = new(1, 1);
    readonly Reclaimer reclaimer = new(store, clock, log);

    public async Task<SweepReport> Sweep(CancellationToken ct)
    {
        await one.WaitAsync(ct);
        try
        {
            var reservations = await store.ListReservations("", ct);
            var pools = await store.ListPools("", ct);
            var now = clock.GetUtcNow();
            var first = Leaks.Decide(pools, indexed, seenAllocations, now, grace);
            // Decided again only when some pod was read live: without new facts the verdicts would be the same.
            var live = first.Confirm.IsEmpty ? ImmutableDictionary<string, PodFact>.Empty : await confirm(first.Confirm, ct);
            var verdicts = live.IsEmpty ? first : Leaks.Decide(pools, p => live.TryGetValue(p, out var f) ? f : indexed(p), seenAllocations, now, grace);
            seenAllocations = verdicts.Seen;

            var released = ImmutableArray.CreateBuilder<Leak>();
            foreach (var group in verdicts.Release.GroupBy(l => l.Pool))
                released.AddRange(await Release(group.Key, group.ToImmutableArray(), reservations, ct));

            var orphans = Orphans.Decide(pools, reservations, seenOrphans, now, grace);
            seenOrphans = orphans.Seen;
            var removed = ImmutableArray.CreateBuilder<ReservationEntry>();
            foreach (var orphan in orphans.Delete)
                if (await DeleteOrphan(orphan, pools, ct))
                {
                    removed.Add(orphan);
                    seenOrphans = seenOrphans.Remove(orphan);
                }
            var orphanDue = orphans.Seen.Values.Where(t => now - t < grace).Select(t => (DateTimeOffset?)(t + grace)).Min();
            var due = new[] { verdicts.NextDue, orphanDue }.Where(d => d is not null).Min();
            return new SweepReport(pools, released.ToImmutable(), removed.ToImmutable()) { NextDue = due };
        }
        finally
        {
            one.Release();
        }
    }

    /// <summary>The leaks of one pool, decided again on every fresh read until one write lands (or there is nothing left to do).</summary>
    async Task<ImmutableArray<Leak>> Release(PoolKey key, ImmutableArray<Leak> leaks, ImmutableArray<ReservationEntry> reservations, CancellationToken ct)
    {
        var allocations = leaks.Select(l => l.Allocation).ToImmutableArray();
        return (await reclaimer.Release(key, allocations, reservations, ct)).Match(
            done => leaks.Where(l => done.Freed.Contains(l.Allocation)).ToImmutableArray(),
            e =>
            {
                log.Error($"releasing {allocations.Length} leaked address(es) of pool {key}: {e.Message}; the next sweep tries again");
                return ImmutableArray<Leak>.Empty;
            });
    }

    /// <summary>Reads the pools that could back <paramref name="orphan"/> again; deletes it only if it is still unbacked and still held by the same owner.</summary>
    async Task<bool> DeleteOrphan(ReservationEntry orphan, ImmutableArray<PoolSnapshot> swept, CancellationToken ct)
    {
        var readings = ReservationNames.Readings(orphan.Name);
        var candidates = swept.Where(p => readings.Any(r => r.MayBeBackedBy(p.Key) && p.Key.Range.Contains(r.Key.Address))).Select(p => p.Key);
        var fresh = (await Task.WhenAll(candidates.Select(k => store.LoadPool(k, ct)))).ToImmutableArray();
        return await reclaimer.DeleteOrphan(orphan, fresh, ct) == OrphanDeletion.Deleted;
    }
}
