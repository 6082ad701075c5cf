using System.Collections.Concurrent;
using System.Collections.Immutable;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Cni;

/// <summary>
/// GC's facts about ownership, gathered before Core decides (<see cref="Collectable"/>): which store, which
/// node, and on the kubernetes store where each pod named by an unlisted allocation is.
/// </summary>
public static class GcFacts
{
    /// <summary>Pod reads in flight at once: one HTTP/2 connection carries them.</summary>
    const int Parallel = 8;

    public static async Task<GcOwnership> Gather(Invocation inv, ImmutableArray<Attachment> valid, CancellationToken ct)
    {
        switch (inv.Ipam.Datastore)
        {
            case DatastoreSettings.File:
                return new GcOwnership.AllLocal();
            case DatastoreSettings.Kubernetes:
                if (inv.Request.NodeName is not { } node)
                    return new GcOwnership.Unknown("this node's name is unknown (set NODENAME for the plugin, or write it to whereabouts.d/nodename or /etc/hostname), " +
                                                   "so no pod can be shown to be this node's");
                return inv.Store is IKubernetesStore { Kubernetes: var kube }
                    ? await PodsHereOrGone(inv, kube, node, valid, ct)
                    : new GcOwnership.Unknown("this store cannot say where pods run");
            case DatastoreSettings.Etcd:
                return new GcOwnership.Unknown("the etcd store is shared by every node and an allocation does not say which node made it " +
                                               "(a runtime lists only its own node's attachments), so nothing can be shown to be this node's");
            default:
                return new GcOwnership.Unknown("this store cannot show which node made an allocation");
        }
    }

    /// <summary>
    /// One GET per distinct pod, not a LIST of pods by spec.nodeName: a LIST shows this node's live pods but
    /// cannot tell a deleted pod (whose allocation GC exists to free) from another node's pod, and a
    /// cluster-wide LIST of every pod costs far more than the few pods an unlisted allocation names. RBAC: get on pods.
    /// </summary>
    static async Task<GcOwnership> PodsHereOrGone(Invocation inv, KubernetesPoolStore kube, string node, ImmutableArray<Attachment> valid, CancellationToken ct)
    {
        var loaded = await Task.WhenAll(inv.Scope.PoolKeys.Select(k => kube.LoadPool(k, ct)));
        var pods = Collectable.PodsToCheck(valid, inv.Scope, loaded.ToImmutableArray());
        var owned = new ConcurrentBag<string>();
        var unknown = new ConcurrentBag<(string Pod, string Why)>();
        await System.Threading.Tasks.Parallel.ForEachAsync(pods, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (pod, token) =>
        {
            switch (await kube.PlacementOf(pod, token))
            {
                case PodPlacement.Gone:
                case PodPlacement.OnNode o when o.Node == node:
                    owned.Add(pod);
                    break;
                case PodPlacement.Unknown u:
                    unknown.Add((pod, u.Why));
                    break;
            }
        });
        foreach (var (pod, why) in unknown.OrderBy(u => u.Pod, StringComparer.Ordinal).Take(5))
            inv.Log.Verbose($"GC keeps the allocations of pod {pod}: where it runs is unknown ({why})");
        if (unknown.Count > 5) inv.Log.Verbose($"GC keeps the allocations of {unknown.Count - 5} more pods whose placement is unknown");
        return new GcOwnership.PodsHereOrGone(owned.ToImmutableHashSet(StringComparer.Ordinal));
    }
}
