using Prometheus;

namespace Whereabouts.Node;

/// <summary>
/// What /metrics shows of the agent, in Prometheus text format: a registry of its own (not prometheus-net's
/// process-wide default), so each instance, a test's included, counts only its own requests.
/// </summary>
public sealed class AgentMetrics
{
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();
    readonly IMetricFactory metrics;

    readonly Histogram latency;
    readonly Counter requests;
    readonly Histogram batches;
    readonly Counter conflicts;
    readonly Gauge inFlight;

    public AgentMetrics(Func<double>? cacheAgeSeconds)
    {
        metrics = Metrics.WithCustomRegistry(Registry);
        latency = metrics.CreateHistogram("whereabouts_node_request_duration_seconds",
            "Time to serve one forwarded CNI request, by verb.", new HistogramConfiguration
            {
                LabelNames = ["verb"],
                Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16),
            });

        requests = metrics.CreateCounter("whereabouts_node_requests_total",
            "Forwarded CNI requests by verb and result: ok, error (a CNI error was answered), declined (another datastore: the plugin ran it), rejected (over the in-flight limit).",
            new CounterConfiguration { LabelNames = ["verb", "result"] });

        batches = metrics.CreateHistogram("whereabouts_node_batch_size",
            "Requests committed by one pool write (group commit).", new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

        conflicts = metrics.CreateCounter("whereabouts_node_conflicts_total",
            "Pool writes of a group commit that lost the compare-and-swap (another writer changed the pool first).");

        inFlight = metrics.CreateGauge("whereabouts_node_requests_in_flight", "CNI requests being served now.");
        if (cacheAgeSeconds is null) return;
        var age = metrics.CreateGauge("whereabouts_node_cache_age_seconds",
            "Seconds since the IPPool watch last confirmed the cache (an event, a bookmark or a list).");
        Registry.AddBeforeCollectCallback(() => age.Set(cacheAgeSeconds()));
    }

    public void Served(string verb, string result, TimeSpan took)
    {
        requests.WithLabels(verb, result).Inc();
        if (result is "ok" or "error") latency.WithLabels(verb).Observe(took.TotalSeconds);
    }

    public void Committed(int requests) => batches.Observe(requests);
    public void Conflicted() => conflicts.Inc();
    public IDisposable Serving() => inFlight.TrackInProgress();
}
