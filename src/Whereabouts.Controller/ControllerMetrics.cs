using Prometheus;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Controller;

/// <summary>
/// What /metrics shows of the controller, in a registry of its own. Pool gauges are set by the leader's sweeps
/// only; a pool that is gone loses its series, so a dashboard never shows a dead pool as full.
/// </summary>
public sealed class ControllerMetrics
{
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    readonly Gauge size, used, free, leader, poolCount;
    readonly Counter reclaimed, orphans, sweeps;
    readonly Histogram sweepDuration;
    readonly HashSet<(string Pool, string Network)> shown = [];

    public ControllerMetrics()
    {
        var metrics = Metrics.WithCustomRegistry(Registry);
        string[] poolLabels = ["pool", "network"];
        size = metrics.CreateGauge("whereabouts_pool_size", "Usable addresses of the pool's range (its CIDR; range_start, range_end and exclude can only narrow it).", poolLabels);
        used = metrics.CreateGauge("whereabouts_pool_used", "Addresses allocated in the pool.", poolLabels);
        free = metrics.CreateGauge("whereabouts_pool_free", "Usable addresses of the pool not allocated.", poolLabels);
        poolCount = metrics.CreateGauge("whereabouts_pools", "Pools seen by the last sweep.");
        reclaimed = metrics.CreateCounter("whereabouts_reclaimed_addresses_total",
            "Addresses released by the controller because their DEL never came, by reason: pod_gone, pod_terminal.", "reason");
        orphans = metrics.CreateCounter("whereabouts_orphaned_reservations_removed_total",
            "OverlappingRangeIPReservations deleted because no pool held their address.");
        sweeps = metrics.CreateCounter("whereabouts_sweeps_total", "Sweeps over every pool, by result: ok, error.", "result");
        sweepDuration = metrics.CreateHistogram("whereabouts_sweep_duration_seconds", "Time of one sweep over every pool.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });
        leader = metrics.CreateGauge("whereabouts_controller_leader", "1 while this replica holds the Lease and acts, else 0.");
    }

    public void Leading(bool isLeader) => leader.Set(isLeader ? 1 : 0);

    public void Swept(IReadOnlyList<PoolUsage> usage, IReadOnlyList<Leak> released, int orphansRemoved, TimeSpan took)
    {
        foreach (var l in released) reclaimed.WithLabels(l.Reason == ReclaimReason.PodGone ? "pod_gone" : "pod_terminal").Inc();
        orphans.Inc(orphansRemoved);
        poolCount.Set(usage.Count);
        var labelled = usage.Select(u => (Usage: u, Labels: (u.Pool, Network: new PoolKey(u.Pool, u.Range).Prefix))).ToList();
        var now = labelled.Select(l => l.Labels).ToHashSet();
        foreach (var gone in shown.Where(s => !now.Contains(s)).ToList())
        {
            size.RemoveLabelled(gone.Pool, gone.Network);
            used.RemoveLabelled(gone.Pool, gone.Network);
            free.RemoveLabelled(gone.Pool, gone.Network);
            shown.Remove(gone);
        }
        foreach (var (u, (pool, network)) in labelled)
        {
            size.WithLabels(pool, network).Set(u.Size);
            used.WithLabels(pool, network).Set(u.Used);
            free.WithLabels(pool, network).Set(u.Free);
            shown.Add((pool, network));
        }
        // Counted last, so a scrape that sees the sweep also sees what it set.
        sweepDuration.Observe(took.TotalSeconds);
        sweeps.WithLabels("ok").Inc();
    }

    public void SweepFailed() => sweeps.WithLabels("error").Inc();
}
