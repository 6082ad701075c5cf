using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using LanguageExt;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Slices;
using Whereabouts.Stores;

namespace Whereabouts.Controller.Slices;

/// <summary>
/// The NodeSlicePools this controller made (labelled managed-by whereabouts-controller) that no NAD names any
/// more. Upstream deletes such a pool with its last NAD (by owner reference); here owners may live in other
/// namespaces, where an owner reference is not honoured, so the controller deletes it, and only once none of
/// its nodes' IPPools holds an address: until then the pods on them still own addresses in those slices.
/// </summary>
sealed class OrphanPools(k8s.Kubernetes client, string ns, Func<PoolKey, CancellationToken, Task<bool>> poolIsEmpty, Log log)
{
    /// <param name="wished">The pools some NAD names (kept whatever their IPPools hold).</param>
    /// <remarks>No NAD is left to say whether the pool's name was network_name (its IPPools prefixed with it) or the
    /// CNI network's name (unprefixed IPPools), so both namings are asked.</remarks>
    public async Task<ImmutableArray<PoolOutcome>> Retire(IReadOnlySet<string> wished, CancellationToken ct)
    {
        var outcomes = ImmutableArray.CreateBuilder<PoolOutcome>();
        var list = Whereabouts.Kube.WatchedKind.AsElement(await client.CustomObjects.ListNamespacedCustomObjectAsync(
            NodeSlicePoolObjects.Group, NodeSlicePoolObjects.Version, ns, NodeSlicePoolObjects.Plural, labelSelector: NodeSlicePoolObjects.ManagedBySelector, cancellationToken: ct));
        if (!list.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array) return [];
        foreach (var item in items.EnumerateArray())
        {
            var name = item.TryGetProperty("metadata", out var m) && m.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            // The label is checked here too: deleting a pool someone else made must not hang on the server honouring the selector.
            if (name.Length == 0 || wished.Contains(name) || !NodeSlicePoolObjects.IsOurs(item)) continue;
            if (NodeSlicePoolState.Read(item).Case is not NodeSlicePoolState pool) continue; // unreadable: left to an operator
            if (!await AllEmpty(pool, name, ct))
            {
                log.Verbose($"NodeSlicePool {ns}/{name} is named by no NAD but its nodes' IPPools still hold addresses: kept for now");
                continue;
            }
            try
            {
                await client.CustomObjects.DeleteNamespacedCustomObjectAsync(NodeSlicePoolObjects.Group, NodeSlicePoolObjects.Version, ns,
                    NodeSlicePoolObjects.Plural, name, new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = pool.ResourceVersion } }, cancellationToken: ct);
                log.Verbose($"NodeSlicePool {ns}/{name} is named by no NAD and its IPPools are empty: deleted");
                outcomes.Add(new PoolOutcome(name, PoolWrite.Deleted, [], 1));
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                // Changed or gone since the list: the next pass decides again.
            }
        }
        return outcomes.ToImmutable();
    }

    /// <summary>Every assigned node's IPPool, under either naming, is empty (or absent).</summary>
    async Task<bool> AllEmpty(NodeSlicePoolState pool, string name, CancellationToken ct)
    {
        var nobody = System.Collections.Immutable.ImmutableHashSet<string>.Empty;
        foreach (var key in SlicePlanner.PoolsToAsk(pool, name, nobody).Concat(SlicePlanner.PoolsToAsk(pool, "", nobody)))
        {
            try
            {
                if (!await poolIsEmpty(key, ct)) return false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.Error($"could not read IPPool {key.Name}: {e.GetType().Name}: {e.Message}; NodeSlicePool {ns}/{name} is kept");
                return false;
            }
        }
        return true;
    }
}
