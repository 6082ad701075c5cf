using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using LanguageExt;
using Whereabouts.Controller.Events;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Slices;
using Whereabouts.Stores;

namespace Whereabouts.Controller.Slices;

/// <summary>
/// Keeps one NodeSlicePool per sliced network (issue #12, item 3): every live node has a slice, a gone node's
/// slice is freed once its IPPool is empty, a NAD's change of range or slice size is reported, not forced.
/// Each pool is read, planned by <see cref="SlicePlanner"/> and written once with its resourceVersion; when a
/// concurrent write wins (409) it is read and planned again, up to <see cref="Attempts"/> times.
/// </summary>
/// <param name="ns">The whereabouts namespace: where NodeSlicePools live and the plugin reads them.</param>
/// <param name="poolIsEmpty">Whether a node's IPPool holds no address (absent counts as empty); see <see cref="EmptyIn"/>.
/// A failure to answer counts as "not empty": the slice is kept.</param>
public sealed class NodeSliceReconciler(k8s.Kubernetes client, string ns, Func<PoolKey, CancellationToken, Task<bool>> poolIsEmpty, IEventSink events, Log log)
{
    /// <summary>Plans per pool and pass: a conflict means another writer is active; the next pass tries again.</summary>
    public const int Attempts = 5;

    /// <summary>The emptiness question over a pool store (the controller's Kubernetes one).</summary>
    public static Func<PoolKey, CancellationToken, Task<bool>> EmptyIn(IPoolStore store) =>
        async (key, ct) =>
        {
            var pool = await store.LoadPool(key, ct);
            return !pool.Exists || pool.State.Allocations.IsEmpty;
        };

    /// <summary>
    /// One pass over every sliced network. The caller passes what its watches hold once they are synced:
    /// <paramref name="nads"/>, the NetworkAttachmentDefinition objects of every namespace (any kind of NAD:
    /// those without a whereabouts IPAM with node_slice_size are skipped), and <paramref name="nodes"/>, the
    /// names of the nodes that exist. Call it on the leader only, whenever a NAD or a node is added or deleted
    /// (and now and then, to free the slices of nodes whose IPPools emptied since). The NADs naming the same
    /// pool are taken oldest first: with no pool yet, the oldest one's range and slice size are made. A pool
    /// this controller made that no NAD names any more is deleted once its nodes' IPPools are all empty, so
    /// <paramref name="nads"/> must be complete (a synced cache), never a partial list.
    /// </summary>
    /// <returns>Each pool's outcome and the NADs left out; Warnings have already gone to the event sink and the log.</returns>
    public async Task<SliceReport> Reconcile(IReadOnlyList<JsonElement> nads, IReadOnlySet<string> nodes, CancellationToken ct)
    {
        var wishes = new List<(string Created, SliceWish Wish)>();
        var problems = ImmutableArray.CreateBuilder<NadProblem>();
        foreach (var nad in nads)
        {
            var nadRef = NadObjects.Ref(nad);
            var config = NadObjects.Config(nad);
            if (config.Length == 0) continue;
            var read = NadSlicing.Read(nadRef, config);
            if (read.Case is LanguageExt.Common.Error e)
            {
                problems.Add(new NadProblem(nadRef, e.Message));
                await events.Record(NadSubject(nadRef), "Warning", "NodeSliceConfigInvalid", e.Message, ct);
            }
            else if (read.Case is Option<SliceWish> found && found.Case is SliceWish wish)
                wishes.Add((NadObjects.Created(nad), wish));
        }
        var outcomes = ImmutableArray.CreateBuilder<PoolOutcome>();
        foreach (var pool in wishes
            .OrderBy(w => w.Created, StringComparer.Ordinal).ThenBy(w => w.Wish.Source.ToString(), StringComparer.Ordinal)
            .GroupBy(w => w.Wish.PoolName, StringComparer.Ordinal))
            outcomes.Add(await ReconcilePool([.. pool.Select(w => w.Wish)], nodes, ct));
        var wished = wishes.Select(w => w.Wish.PoolName).ToHashSet(StringComparer.Ordinal);
        try { outcomes.AddRange(await new OrphanPools(client, ns, poolIsEmpty, log).Retire(wished, ct)); }
        catch (HttpOperationException e) { log.Error($"listing NodeSlicePools in {ns}: {Describe(e)}"); }
        return new SliceReport(outcomes.ToImmutable(), problems.ToImmutable());
    }

    async Task<PoolOutcome> ReconcilePool(ImmutableArray<SliceWish> wishes, IReadOnlySet<string> nodes, CancellationToken ct)
    {
        var name = wishes[0].PoolName;
        var owners = wishes.Select(w => w.Source).ToList();
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            JsonElement? stored;
            try { stored = await Read(name, ct); }
            catch (HttpOperationException e) { return Failed(name, attempt, $"reading NodeSlicePool {ns}/{name}: {Describe(e)}"); }

            Option<NodeSlicePoolState> state = Option<NodeSlicePoolState>.None;
            if (stored is { } s)
            {
                var parsed = NodeSlicePoolState.Read(s);
                if (parsed.Case is LanguageExt.Common.Error bad)
                {
                    await Warn(wishes, "NodeSlicePoolInvalid", $"{bad.Message}; the pool is left as it is: fix or delete it", ct);
                    return Failed(name, attempt, bad.Message);
                }
                state = (NodeSlicePoolState)parsed.Case!;
            }
            var empty = await EmptyPools(state, wishes[0].NetworkName, nodes, ct);
            var plan = SlicePlanner.Plan(wishes, state, nodes, empty);
            var ownersRight = stored is { } st && NodeSlicePoolObjects.OwnersAre(st, ns, owners);
            if (!plan.Changed && ownersRight)
            {
                await Report(plan, wishes, written: false, ct);
                return new PoolOutcome(name, PoolWrite.Unchanged, plan.Notes, attempt);
            }
            try
            {
                if (stored is { } current)
                    await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(NodeSlicePoolObjects.Replaced(current, plan, owners),
                        NodeSlicePoolObjects.Group, NodeSlicePoolObjects.Version, ns, NodeSlicePoolObjects.Plural, name, cancellationToken: ct);
                else
                    await client.CustomObjects.CreateNamespacedCustomObjectAsync(NodeSlicePoolObjects.New(ns, plan, owners),
                        NodeSlicePoolObjects.Group, NodeSlicePoolObjects.Version, ns, NodeSlicePoolObjects.Plural, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                log.Verbose($"NodeSlicePool {ns}/{name} changed under plan {attempt}: reading it again");
                continue;
            }
            catch (HttpOperationException e)
            {
                return Failed(name, attempt, $"writing NodeSlicePool {ns}/{name}: {Describe(e)}");
            }
            await Report(plan, wishes, written: true, ct);
            return new PoolOutcome(name, stored is null ? PoolWrite.Created : PoolWrite.Updated, plan.Notes, attempt);
        }
        var busy = $"NodeSlicePool {ns}/{name} kept changing under {Attempts} plans in a row; left for the next pass";
        log.Error(busy);
        return new PoolOutcome(name, PoolWrite.Failed, [], Attempts, busy);
    }

    PoolOutcome Failed(string name, int attempt, string error)
    {
        log.Error(error);
        return new PoolOutcome(name, PoolWrite.Failed, [], attempt, error);
    }

    async Task<JsonElement?> Read(string name, CancellationToken ct)
    {
        try
        {
            var obj = await client.CustomObjects.GetNamespacedCustomObjectAsync(
                NodeSlicePoolObjects.Group, NodeSlicePoolObjects.Version, ns, NodeSlicePoolObjects.Plural, name, cancellationToken: ct);
            return Whereabouts.Kube.WatchedKind.AsElement(obj);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The gone nodes' IPPools that are empty; one that cannot be read is not (its slice stays).</summary>
    async Task<IReadOnlySet<string>> EmptyPools(Option<NodeSlicePoolState> state, string networkName, IReadOnlySet<string> nodes, CancellationToken ct)
    {
        var empty = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        if (state.Case is not NodeSlicePoolState pool) return empty;
        foreach (var key in SlicePlanner.PoolsToAsk(pool, networkName, nodes))
        {
            try
            {
                if (await poolIsEmpty(key, ct)) empty.Add(key.Name);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.Error($"could not read IPPool {key.Name} of a gone node: {e.GetType().Name}: {e.Message}; its slice is kept");
            }
        }
        return empty;
    }

    /// <summary>Assignments and frees are told once, when written; what could not be done, on every pass (the sink counts repeats).</summary>
    async Task Report(SlicePlan plan, ImmutableArray<SliceWish> wishes, bool written, CancellationToken ct)
    {
        var pool = new EventSubject(NodeSlicePoolObjects.ApiVersion, NodeSlicePoolObjects.Kind, ns, plan.PoolName);
        foreach (var note in plan.Notes)
            switch (note)
            {
                case SliceNote.Assigned a when written:
                    await events.Record(pool, "Normal", "NodeSliceAssigned", $"node {a.Node} was given slice {a.Slice}", ct);
                    break;
                case SliceNote.Freed f when written:
                    await events.Record(pool, "Normal", "NodeSliceFreed", $"node {f.Node} is gone and its IPPool is empty: slice {f.Slice} is free again", ct);
                    break;
                case SliceNote.HeldForGoneNode h:
                    log.Verbose($"NodeSlicePool {ns}/{plan.PoolName}: node {h.Node} is gone but IPPool {h.PoolName} still holds addresses: slice {h.Slice} is kept");
                    break;
                case SliceNote.Exhausted x:
                    await Warn(wishes, "NodeSlicesExhausted", $"no free slice is left in NodeSlicePool {ns}/{plan.PoolName} ({x.Spec}) for node {x.Node}: pods on it get no address on this network; use a wider range or a smaller slice in a new network", ct);
                    break;
                case SliceNote.SpecNotHonoured n:
                    await events.Record(NadSubject(n.Nad), "Warning", "NodeSliceSpecNotHonoured",
                        $"this NAD asks for {n.Asked} but {n.Why}; slices already handed out cannot move under running pods, so NodeSlicePool {ns}/{plan.PoolName} keeps {n.Kept}; to change it, make a new network (another network_name)", ct);
                    break;
                case SliceNote.BadEntry b:
                    await events.Record(pool, "Warning", "NodeSliceEntryInvalid", $"entry {{nodeName: \"{b.Entry.NodeName}\", sliceRange: \"{b.Entry.SliceRange}\"}}: {b.Why}; it is kept and not used", ct);
                    break;
            }
    }

    async Task Warn(ImmutableArray<SliceWish> wishes, string reason, string message, CancellationToken ct)
    {
        foreach (var nad in wishes.Select(w => w.Source).DistinctBy(n => (n.Namespace, n.Name)))
            await events.Record(NadSubject(nad), "Warning", reason, message, ct);
    }

    static EventSubject NadSubject(NadRef nad) => new(NadObjects.ApiVersion, NadObjects.Kind, nad.Namespace, nad.Name, nad.Uid);

    static string Describe(HttpOperationException e) => $"{(int)e.Response.StatusCode} {e.Response.Content}";
}
