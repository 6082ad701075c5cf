using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Config;
using Whereabouts.Core.Slices;
using Whereabouts.Kube;
using Whereabouts.Kubectl.Model;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Kubectl.Access;

/// <summary>
/// What one command talks to: the datastore through the store port (the same adapters the plugin uses), and
/// the API server for pods and NodeSlicePools. The API connection is made on first use, so `pools` against
/// etcd needs no kubeconfig.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    readonly Lazy<KubeClientConnection> kube;

    public IPoolStore Store { get; }

    /// <summary>"kubernetes (namespace kube-system)" or "etcd": what the pools were read from, for messages.</summary>
    public string StoreName { get; }

    public bool UsesEtcd { get; }

    Cluster(Lazy<KubeClientConnection> kube, IPoolStore store, string storeName, bool etcd)
    {
        this.kube = kube;
        Store = store;
        StoreName = storeName;
        UsesEtcd = etcd;
    }

    public static Cluster Open(AccessSettings s, Func<string, string?> getenv, Log log)
    {
        var kube = new Lazy<KubeClientConnection>(() => KubeAccess.Connect(s, getenv));
        if (!s.UsesEtcd)
            return new Cluster(kube, new KubernetesPoolStore(kube.Value.Connection, log), $"kubernetes (namespace {kube.Value.Namespace})", false);
        var etcd = new DatastoreSettings.Etcd(
            [.. s.EtcdEndpoints!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            s.EtcdUsername ?? "", s.EtcdPasswordFile is { Length: > 0 } f ? File.ReadAllText(f).Trim() : "",
            s.EtcdKeyFile ?? "", s.EtcdCertFile ?? "", s.EtcdCaCertFile ?? "");
        return new Cluster(kube, Cni.Stores.Open(etcd, log, new Cni.StoreOptions()), "etcd", true);
    }

    /// <summary>Every pod of the cluster, by "namespace/name" (a paged LIST: a quorum read, current as of now).</summary>
    public async Task<ImmutableDictionary<string, PodInfo>> Pods(CancellationToken ct)
    {
        var pods = ImmutableDictionary.CreateBuilder<string, PodInfo>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await kube.Value.Client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: token, limit: 500, cancellationToken: ct);
            foreach (var p in page.Items)
            {
                var podRef = $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}";
                pods[podRef] = new PodInfo(podRef, p.Spec?.NodeName ?? "", p.Status?.Phase ?? "",
                    p.Metadata.CreationTimestamp is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null);
            }
            token = page.Metadata?.ContinueProperty is { Length: > 0 } next ? next : null;
        } while (token is not null);
        return pods.ToImmutable();
    }

    /// <summary>The node slices NodeSlicePools assign; none on etcd (node slices are Kubernetes objects) or without the CRD.</summary>
    public async Task<ImmutableArray<SliceAssignment>> Slices(CancellationToken ct)
    {
        if (UsesEtcd) return [];
        object list;
        try
        {
            list = await kube.Value.Client.CustomObjects.ListNamespacedCustomObjectAsync(
                "whereabouts.cni.cncf.io", "v1alpha1", kube.Value.Namespace, KubernetesPoolStore.NodeSlicePools, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        var found = ImmutableArray.CreateBuilder<SliceAssignment>();
        var root = WatchedKind.AsElement(list);
        if (!root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array) return [];
        // Read as the controller reads them (NodeSlicePoolState); a pool it could not read shows no slices.
        foreach (var item in items.EnumerateArray())
        {
            if (NodeSlicePoolState.Read(item).Case is not NodeSlicePoolState pool) continue;
            var name = item.TryGetProperty("metadata", out var m) ? ObjectWatch.Text(m, "name") : "";
            foreach (var e in pool.Allocations.Where(e => !e.IsFree))
                if (Cidr.Parse(e.SliceRange).Case is Cidr slice)
                    found.Add(new SliceAssignment(name, pool.Spec.Range, e.NodeName, slice.Normalised));
        }
        return found.ToImmutable();
    }

    /// <summary>
    /// The whereabouts ranges every NetworkAttachmentDefinition configures. None when the CRD is not installed
    /// or the reader may not list it: check then compares allocations with their pools' CIDRs only.
    /// </summary>
    public async Task<ImmutableArray<NadRange>> NadRanges(CancellationToken ct)
    {
        object list;
        try
        {
            list = await kube.Value.Client.CustomObjects.ListClusterCustomObjectAsync("k8s.cni.cncf.io", "v1", "network-attachment-definitions", cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return [];
        }
        var root = WatchedKind.AsElement(list);
        if (!root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array) return [];
        return [.. items.EnumerateArray().SelectMany(nad =>
        {
            var meta = nad.TryGetProperty("metadata", out var m) ? m : default;
            var name = $"{ObjectWatch.Text(meta, "namespace")}/{ObjectWatch.Text(meta, "name")}";
            var config = nad.TryGetProperty("spec", out var spec) ? ObjectWatch.Text(spec, "config") : "";
            return Core.Config.NadRanges.Read(config).Select(r => new NadRange(name, r));
        })];
    }

    /// <summary>
    /// What the read commands judge. Reservations are read before pools, in ADD's write order (as the controller's
    /// sweep does); pods and node slices meanwhile, over the same connection. What a command does not judge is not
    /// read: listing 10,000 reservations costs more than the pools (docs/benchmarks.md, "kubectl whereabouts").
    /// </summary>
    public async Task<ClusterView> Read(bool withReservations, bool withPods, CancellationToken ct, bool withRanges = false)
    {
        var pods = withPods ? Pods(ct) : Task.FromResult(ImmutableDictionary<string, PodInfo>.Empty);
        var slices = Slices(ct);
        var ranges = withRanges ? NadRanges(ct) : Task.FromResult(ImmutableArray<NadRange>.Empty);
        var reservations = withReservations ? await Store.ListReservations("", ct) : [];
        var pools = await Store.ListPools("", ct);
        return new ClusterView(pools.OrderBy(p => p.Key.Name, StringComparer.Ordinal).ToImmutableArray(), reservations, await pods, await slices)
        {
            Ranges = await ranges,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (kube.IsValueCreated) kube.Value.Dispose();
    }
}
