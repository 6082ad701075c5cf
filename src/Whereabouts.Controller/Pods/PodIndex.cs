using System.Collections.Concurrent;
using System.Text.Json;
using Whereabouts.Core.Reclaim;
using Whereabouts.Kube;

namespace Whereabouts.Controller.Pods;

/// <summary>
/// Every pod of the cluster as the watch last told it, reduced to what reclaiming needs: "namespace/name" →
/// Live or Terminal (a pod not here is <see cref="PodFact.NotIndexed"/>). A few dozen bytes per pod, so the
/// index of a large cluster stays small while the watch streams whole pods (their phase is in status, which a
/// metadata-only watch would not carry). A pod deleted, or one turned Terminal, is announced at once
/// (<see cref="Changed"/>): that is the event path of reclaiming.
/// </summary>
public sealed class PodIndex : IWatchedCache, IPagedReset
{
    readonly ConcurrentDictionary<string, PodState> pods = new(StringComparer.Ordinal);
    // The relist being taken page by page (IPagedReset): projected as it comes, applied at its end.
    Dictionary<string, PodState>? relisting;

    /// <summary>A pod went away or turned Terminal ("namespace/name").</summary>
    public event Action<string>? Changed;

    public PodFact Fact(string podRef) => pods.TryGetValue(podRef, out var state) ? new PodFact(state, false) : PodFact.NotIndexed;

    public void Reset(IReadOnlyList<JsonElement> items)
    {
        BeginReset();
        ResetPage(items);
        EndReset();
    }

    public void BeginReset() => relisting = new(StringComparer.Ordinal);

    public void ResetPage(IEnumerable<JsonElement> items)
    {
        var listed = relisting ?? throw new InvalidOperationException("ResetPage before BeginReset");
        foreach (var (podRef, state) in items.Select(Read))
            if (podRef.Length > 0) listed[podRef] = state;
    }

    public void EndReset()
    {
        var listed = relisting ?? throw new InvalidOperationException("EndReset before BeginReset");
        relisting = null;
        foreach (var gone in pods.Keys.Where(k => !listed.ContainsKey(k)).ToList())
        {
            pods.TryRemove(gone, out _);
            Changed?.Invoke(gone);
        }
        foreach (var (podRef, state) in listed) Put(podRef, state);
    }

    public void Put(JsonElement item)
    {
        var (podRef, state) = Read(item);
        if (podRef.Length > 0) Put(podRef, state);
    }

    void Put(string podRef, PodState state)
    {
        var before = pods.TryGetValue(podRef, out var was) ? was : (PodState?)null;
        pods[podRef] = state;
        if (state == PodState.Terminal && before != PodState.Terminal) Changed?.Invoke(podRef);
    }

    public void Remove(JsonElement item)
    {
        var (podRef, _) = Read(item);
        if (podRef.Length > 0 && pods.TryRemove(podRef, out _)) Changed?.Invoke(podRef);
    }

    /// <summary>Nothing to do: while the watch relists, an index that lags only sends more pods to the live read.</summary>
    public void Unsync() { }
    public void Heard() { }

    static (string Ref, PodState State) Read(JsonElement pod)
    {
        if (pod.ValueKind != JsonValueKind.Object || !pod.TryGetProperty("metadata", out var meta)) return ("", PodState.Live);
        var ns = ObjectWatch.Text(meta, "namespace");
        var name = ObjectWatch.Text(meta, "name");
        var phase = pod.TryGetProperty("status", out var status) ? ObjectWatch.Text(status, "phase") : "";
        return (ns.Length > 0 && name.Length > 0 ? $"{ns}/{name}" : "", PodFact.StateOfPhase(phase));
    }
}
