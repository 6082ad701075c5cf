using System.Globalization;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Whereabouts.Stores;

namespace Whereabouts.Controller.Events;

/// <summary>
/// Records core/v1 Events, as kubectl describe shows them. The same report about the same object (type,
/// reason, message) is counted on the Event already made (count + 1, lastTimestamp now) rather than made
/// again, as client-go's recorder does, so a condition seen on every pass is one Event, not thousands.
/// Every report is also logged; a failure to record is logged, never thrown.
/// </summary>
public sealed class KubernetesEventSink(k8s.Kubernetes client, Log log, TimeProvider clock, string instance = "") : IEventSink
{
    public const string Component = "whereabouts-controller";

    /// <summary>Beyond this many remembered Events the memory is dropped: a repeat then makes a new Event.</summary>
    const int Remembered = 4096;

    readonly Dictionary<(EventSubject, string, string, string), (string Name, int Count)> made = new();
    readonly Lock gate = new();
    long sequence;

    public async Task Record(EventSubject about, string type, string reason, string message, CancellationToken ct)
    {
        log.Verbose($"event {type} {reason} on {about.Kind} {about.Namespace}/{about.Name}: {message}");
        var ns = about.Namespace.Length > 0 ? about.Namespace : "default"; // a cluster-scoped object's Events live in default
        var key = (about, type, reason, message);
        (string Name, int Count) known;
        bool seen;
        lock (gate) seen = made.TryGetValue(key, out known);
        var now = clock.GetUtcNow().UtcDateTime;
        try
        {
            if (seen && await Counted(ns, known.Name, known.Count + 1, now, ct))
            {
                lock (gate) made[key] = (known.Name, known.Count + 1);
                return;
            }
            var name = $"{about.Name}.{now.Ticks:x}{Interlocked.Increment(ref sequence):x}";
            await client.CoreV1.CreateNamespacedEventAsync(New(about, ns, name, type, reason, message, now), ns, cancellationToken: ct);
            lock (gate)
            {
                if (made.Count >= Remembered) made.Clear();
                made[key] = (name, 1);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception e)
        {
            log.Error($"could not record event {reason} on {about.Kind} {ns}/{about.Name}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Counts a repeat on the Event made before; false when it is gone (Events expire, an hour by default).</summary>
    async Task<bool> Counted(string ns, string name, int count, DateTime now, CancellationToken ct)
    {
        var patch = $$"""{"count":{{count.ToString(CultureInfo.InvariantCulture)}},"lastTimestamp":"{{now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}"}""";
        try
        {
            await client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, ns, cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    Corev1Event New(EventSubject about, string ns, string name, string type, string reason, string message, DateTime now) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        InvolvedObject = new V1ObjectReference
        {
            ApiVersion = about.ApiVersion, Kind = about.Kind, Name = about.Name,
            NamespaceProperty = about.Namespace.Length > 0 ? about.Namespace : null,
            Uid = about.Uid.Length > 0 ? about.Uid : null,
        },
        Type = type,
        Reason = reason,
        Message = message,
        Source = new V1EventSource { Component = Component, Host = instance.Length > 0 ? instance : null },
        ReportingComponent = Component,
        ReportingInstance = instance.Length > 0 ? instance : null,
        FirstTimestamp = now,
        LastTimestamp = now,
        Count = 1,
    };
}
