using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using Whereabouts.Core.Reclaim;
using Whereabouts.Kube;

namespace Whereabouts.Controller.Pods;

/// <summary>
/// Reads pods from the API server now, not from the index: the confirmation every release waits for. A GET
/// or a LIST without a resourceVersion is served from etcd with a quorum read, so it cannot be behind a
/// pod's creation. Few pods are read one by one; many suspected gone at once (a node's worth) with one paged
/// metadata-only list, which tells existence but not phase: a pod it finds counts as Live (kept; the index
/// tells the rest by the next sweep). Pods suspected Terminal are always read one by one, for their phase.
/// </summary>
public sealed class LivePods(KubeClientConnection kube)
{
    /// <summary>Above this many pods to confirm, one consistent list is cheaper than a GET each.</summary>
    const int ListAbove = 32;
    const int Parallel = 8;

    /// <param name="indexed">What the index says of a pod: those it calls Terminal are read one by one.</param>
    public async Task<ImmutableDictionary<string, PodFact>> Confirm(ImmutableArray<string> podRefs, Func<string, PodFact> indexed, CancellationToken ct)
    {
        if (podRefs.IsEmpty) return ImmutableDictionary<string, PodFact>.Empty;
        var terminal = podRefs.Where(p => indexed(p).State == PodState.Terminal).ToImmutableArray();
        var gone = podRefs.Except(terminal).ToImmutableArray();
        var listed = gone.Length > ListAbove ? await Listed(gone, ct) : ImmutableDictionary<string, PodFact>.Empty;
        var facts = new System.Collections.Concurrent.ConcurrentDictionary<string, PodFact>(listed, StringComparer.Ordinal);
        await System.Threading.Tasks.Parallel.ForEachAsync(podRefs.Where(p => !listed.ContainsKey(p)), new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct },
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
        var existing = new HashSet<string>(StringComparer.Ordinal);
        var token = "";
        do
        {
            var query = $"/api/v1/pods?limit=500{(token.Length > 0 ? "&continue=" + Uri.EscapeDataString(token) : "")}";
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kube.Connection.Server, query));
            // Metadata only (PartialObjectMetadataList); a server that cannot serve it answers whole pods, read the same way.
            request.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(kube.Connection.RequestTimeout * 3);
            using var response = await kube.Connection.Send(request, timeout.Token);
            response.EnsureSuccessStatusCode();
            using var page = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
            foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
            {
                var meta = item.GetProperty("metadata");
                existing.Add($"{ObjectWatch.Text(meta, "namespace")}/{ObjectWatch.Text(meta, "name")}");
            }
            token = page.RootElement.TryGetProperty("metadata", out var listMeta) ? ObjectWatch.Text(listMeta, "continue") : "";
        } while (token.Length > 0);
        return podRefs.Distinct().ToImmutableDictionary(p => p,
            p => new PodFact(existing.Contains(p) ? PodState.Live : PodState.Gone, true), StringComparer.Ordinal);
    }
}
