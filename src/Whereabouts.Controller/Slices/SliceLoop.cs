using System.Text.Json;
using k8s;
using Whereabouts.Stores;

namespace Whereabouts.Controller.Slices;

/// <summary>
/// The leader's node-slice keeping: every <c>interval</c>, list every NAD and node afresh (a complete, current
/// list, as <see cref="NodeSliceReconciler.Reconcile"/> needs) and reconcile. A failed pass is logged; the next retries.
/// </summary>
public sealed class SliceLoop(k8s.Kubernetes client, NodeSliceReconciler reconciler, TimeSpan interval, Log log, TimeProvider clock)
{
    public async Task Run(CancellationToken leading)
    {
        while (!leading.IsCancellationRequested)
        {
            try
            {
                var nads = await ListNads(leading);
                var nodes = (await client.CoreV1.ListNodeAsync(cancellationToken: leading)).Items.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);
                await reconciler.Reconcile(nads, nodes, leading);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.Error($"node slices: {e.GetType().Name}: {e.Message}; again in {interval.TotalSeconds:0}s");
            }
            try { await Task.Delay(interval, clock, leading); } catch (OperationCanceledException) { return; }
        }
    }

    async Task<IReadOnlyList<JsonElement>> ListNads(CancellationToken ct)
    {
        var items = new List<JsonElement>();
        string? token = null;
        do
        {
            var page = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("k8s.cni.cncf.io", "v1", "network-attachment-definitions",
                continueParameter: token, limit: 500, cancellationToken: ct);
            items.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.Clone()));
            token = page.GetProperty("metadata").TryGetProperty("continue", out var c) && c.GetString() is { Length: > 0 } next ? next : null;
        } while (token is not null);
        return items;
    }
}
