using System.Collections.Immutable;
using System.Net;
using k8s;
using k8s.Autorest;
using Whereabouts.Core.Reclaim;
using Whereabouts.Kube;

namespace Whereabouts.Controller.Pods;

/// <summary>
/// Reads pods from the API server now, not from the index: the confirmation every release waits for. A GET
/// or a LIST without a resourceVersion is served from etcd with a quorum read, so it cannot be behind a
/// pod's creation. Few pods are read one by one; many at once (a node's worth) with one paged list.
/// </summary>
public sealed class LivePods(KubeClientConnection kube)
{
    /// <summary>Above this many pods to confirm, one consistent list is cheaper than a GET each.</summary>
    const int ListAbove = 32;
    const int Parallel = 8;

    public async Task<ImmutableDictionary<string, PodFact>> Confirm(ImmutableArray<string> podRefs, CancellationToken ct)
    {
        if (podRefs.IsEmpty) return ImmutableDictionary<string, PodFact>.Empty;
        if (podRefs.Length > ListAbove) return await Listed(podRefs, ct);
        var facts = new System.Collections.Concurrent.ConcurrentDictionary<string, PodFact>(StringComparer.Ordinal);
        await System.Threading.Tasks.Parallel.ForEachAsync(podRefs, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct },
            async (podRef, token) => facts[podRef] = await One(podRef, token));
        return facts.ToImmutableDictionary(StringComparer.Ordinal);
    }

    async Task<PodFact> One(string podRef, CancellationToken ct)
    {
        var slash = podRef.IndexOf('/');
        if (slash <= 0) return new PodFact(PodState.Live, true); // not a pod reference: never released on it
        try
        {
            var pod = await kube.Client.CoreV1.ReadNamespacedPodAsync(podRef[(slash + 1)..], podRef[..slash], cancellationToken: ct);
            return new PodFact(PodFact.StateOfPhase(pod.Status?.Phase ?? ""), true);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return new PodFact(PodState.Gone, true);
        }
    }

    async Task<ImmutableDictionary<string, PodFact>> Listed(ImmutableArray<string> podRefs, CancellationToken ct)
    {
        var existing = new Dictionary<string, PodState>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await kube.Client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: token, limit: 500, cancellationToken: ct);
            foreach (var pod in page.Items)
                existing[$"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}"] = PodFact.StateOfPhase(pod.Status?.Phase ?? "");
            token = page.Metadata?.ContinueProperty is { Length: > 0 } next ? next : null;
        } while (token is not null);
        return podRefs.Distinct().ToImmutableDictionary(p => p, p => existing.TryGetValue(p, out var s) ? new PodFact(s, true) : new PodFact(PodState.Gone, true), StringComparer.Ordinal);
    }
}
