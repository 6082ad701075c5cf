using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// The default datastore, as upstream keeps it: one IPPool per range and one OverlappingRangeIPReservation per
/// allocated address (group whereabouts.cni.cncf.io/v1alpha1), in the namespace of the kubeconfig's current
/// context. Compare-and-swap is metadata.resourceVersion: a PUT at a stale version is 409 Conflict, a create
/// of an existing object is 409 AlreadyExists, a reservation is deleted with a resourceVersion precondition
/// after its owner is checked. No Lease, no LIST on the ADD path: one GET per pool, one PUT or POST per write.
/// <para>
/// Transport and mapping only: one attempt per call, failures mapped to <see cref="StoreUnavailableException"/>
/// (<see cref="KubeFailure"/>), and <see cref="ConflictRetry"/> decides whether and when to go again. A write
/// whose answer is lost gets one read-back (KubernetesPoolStore.Writes.cs). This file holds the reads.
/// </para>
/// </summary>
public sealed partial class KubernetesPoolStore : IPoolStore, IKubernetesStore
{
    KubernetesPoolStore IKubernetesStore.Kubernetes => this;

    public const string Pools = "ippools";
    public const string Reservations = "overlappingrangeipreservations";
    public const string NodeSlicePools = "nodeslicepools";

    /// <summary>Per request; upstream uses 10 s for all its calls together.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    readonly KubeApi api;
    readonly Kubeconfig config;
    readonly Log log;

    public KubernetesPoolStore(Kubeconfig config, Log log, TimeSpan? requestTimeout = null, StoreHooks? hooks = null)
    {
        this.config = config;
        this.log = log;
        api = new KubeApi(config, requestTimeout ?? DefaultRequestTimeout, hooks);
    }

    /// <summary>Over a connection another library set up (the node agent's KubernetesClient, with its own credentials and TLS).</summary>
    public KubernetesPoolStore(KubeConnection connection, Log log)
    {
        config = new Kubeconfig(connection.Server, connection.Namespace, "", false, "", "", "", "", "", "", "", connection.Source);
        this.log = log;
        api = new KubeApi(connection);
    }

    /// <summary>
    /// Each pool this store has just written, as the API server answered it (new resourceVersion): a cache in
    /// front of the store stays current without reading the pool back. Nothing is decoded without a listener.
    /// </summary>
    public event Action<PoolSnapshot>? PoolWritten;

    /// <summary>An IPPool object as a snapshot (what a watch event carries); null when it does not decode.</summary>
    public static PoolSnapshot? DecodePool(JsonElement item)
    {
        var name = KubeObjects.Name(item);
        if (name.Length == 0 || !item.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object) return null;
        return PoolCodec.Decode(name, JsonMarshal.GetRawUtf8Value(spec)).Match(
            Succ: s => new PoolSnapshot(new PoolKey(name, s.Range), new StoreVersion(KubeObjects.Version(item)), s) { StoreMetadata = KubeObjects.KeptMetadataOf(item) },
            Fail: _ => (PoolSnapshot?)null);
    }

    /// <summary>Reads the kubeconfig; no request is made until the first load.</summary>
    public static KubernetesPoolStore Open(string kubeconfigPath, Log log, StoreHooks? hooks = null) => new(Kubeconfig.Load(kubeconfigPath), log, hooks: hooks);

    public string Namespace => api.Namespace;

    internal KubeApi Api => api;

    public async Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct)
    {
        var r = await KubeFailure.Transported(() => api.Get(Pools, key.Name, ct), $"read IPPool {key.Name}");
        if (KubeFailure.IsMissingObject(r, key.Name)) return PoolSnapshot.Missing(key);
        if (!r.Ok) throw Failure(r, $"read IPPool {key.Name}");
        using var doc = Parse(r, "IPPool", key.Name);
        var root = doc.RootElement;
        if (!root.TryGetProperty("spec", out var spec))
            throw new StoreUnavailableException($"IPPool {api.Namespace}/{key.Name} has no spec; repair or delete it", transient: false);
        var state = PoolCodec.Decode(key.Name, JsonMarshal.GetRawUtf8Value(spec)).Match(
            Succ: s => s,
            Fail: e => throw new StoreUnavailableException($"{e.Message} (IPPool {api.Namespace}/{key.Name}); repair or delete it", transient: false));
        return new PoolSnapshot(key, new StoreVersion(KubeObjects.Version(root)), state) { StoreMetadata = KubeObjects.KeptMetadataOf(root) };
    }

    public async Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct) =>
        await ReadReservation(key, ct) is { } held ? Option<Owner>.Some(held.Owner) : Option<Owner>.None;

    sealed record StoredReservation(Owner Owner, string Version);

    async Task<StoredReservation?> ReadReservation(ReservationKey key, CancellationToken ct)
    {
        var r = await KubeFailure.Transported(() => api.Get(Reservations, key.Name, ct), $"read OverlappingRangeIPReservation {key.Name}");
        if (KubeFailure.IsMissingObject(r, key.Name)) return null;
        if (!r.Ok) throw Failure(r, $"read OverlappingRangeIPReservation {key.Name}");
        using var doc = Parse(r, "OverlappingRangeIPReservation", key.Name);
        var owner = doc.RootElement.TryGetProperty("spec", out var spec)
            ? ReservationCodec.Decode(key.Name, JsonMarshal.GetRawUtf8Value(spec)).Match(
                Succ: o => o,
                Fail: e => throw new StoreUnavailableException($"{e.Message} (OverlappingRangeIPReservation {api.Namespace}/{key.Name}); repair or delete it", transient: false))
            : new Owner("", "", "");
        return new StoredReservation(owner, KubeObjects.Version(doc.RootElement));
    }

    public async Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) =>
        await List(Reservations, "OverlappingRangeIPReservations", namePrefix, (name, _, spec, _) =>
            ReservationCodec.Decode(name, spec).ToOption().Map(o => new ReservationEntry(name, o)), ct);

    public async Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) =>
        await List(Pools, "IPPools", namePrefix, (name, version, spec, item) =>
            PoolCodec.Decode(name, spec).ToOption().Map(s => new PoolSnapshot(new PoolKey(name, s.Range), new StoreVersion(version), s) { StoreMetadata = KubeObjects.KeptMetadataOf(item) }), ct);

    /// <summary>Objects per LIST page: bounds each answer (a pool can be 1.5 MiB) while keeping round trips few.</summary>
    const int ListPageSize = 250;

    delegate Option<T> ItemDecoder<T>(string name, string version, ReadOnlySpan<byte> spec, JsonElement item);

    /// <summary>
    /// A paged LIST (limit/continue) of the namespace's objects, filtered by name prefix on our side (the API
    /// selects custom objects by label, not name); items without a decodable spec are left out.
    /// </summary>
    async Task<ImmutableArray<T>> List<T>(string plural, string what, string namePrefix, ItemDecoder<T> decode, CancellationToken ct)
    {
        var found = ImmutableArray.CreateBuilder<T>();
        var token = "";
        do
        {
            var page = token;
            var r = await KubeFailure.Transported(() => api.ListPage(plural, ListPageSize, page, ct), $"list {what}");
            if (!r.Ok) throw Failure(r, $"list {what}");
            using var doc = Parse(r, what, "");
            var root = doc.RootElement;
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
                foreach (var item in items.EnumerateArray())
                {
                    var name = KubeObjects.Name(item);
                    if (name.Length == 0 || !name.StartsWith(namePrefix, StringComparison.Ordinal) || !item.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object) continue;
                    decode(name, KubeObjects.Version(item), JsonMarshal.GetRawUtf8Value(spec), item).IfSome(found.Add);
                }
            token = root.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "" : "";
        } while (token.Length > 0);
        return found.ToImmutable();
    }

    /// <summary>The NodeSlicePool as JSON, or null when it does not exist (see <see cref="KubernetesNodeSlices"/>).</summary>
    public async Task<JsonDocument?> ReadNodeSlicePool(string name, CancellationToken ct)
    {
        var r = await KubeFailure.Transported(() => api.Get(NodeSlicePools, name, ct), $"read NodeSlicePool {name}");
        if (KubeFailure.IsMissingObject(r, name)) return null;
        if (!r.Ok) throw Failure(r, $"read NodeSlicePool {name}");
        return Parse(r, "NodeSlicePool", name);
    }

    /// <summary>
    /// Where pod <paramref name="podRef"/> ("namespace/name") is: bound to a node (spec.nodeName, "" while
    /// unscheduled), gone (404 naming it), or unknown with the reason (no answer, 403, a podref that is not
    /// namespace/name). CNI GC releases an allocation only for the first with this node's name, or the second.
    /// </summary>
    public async Task<PodPlacement> PlacementOf(string podRef, CancellationToken ct)
    {
        var slash = podRef.IndexOf('/');
        if (slash <= 0 || slash == podRef.Length - 1) return new PodPlacement.Unknown($"podref \"{podRef}\" is not namespace/name");
        var (ns, name) = (podRef[..slash], podRef[(slash + 1)..]);
        KubeResponse r;
        try { r = await api.GetPod(ns, name, ct); }
        catch (KubeTransportException e) { return new PodPlacement.Unknown(e.Message); }
        if (KubeFailure.IsMissingObject(r, name)) return new PodPlacement.Gone();
        if (r.Code == 403) return new PodPlacement.Unknown($"403 Forbidden: {r.Message}; grant the plugin's service account get on pods");
        if (!r.Ok) return new PodPlacement.Unknown($"read pod {podRef}: {r.Code} {r.Message}");
        try
        {
            using var doc = JsonDocument.Parse(r.Body);
            return doc.RootElement.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
                && spec.TryGetProperty("nodeName", out var node) && node.ValueKind == JsonValueKind.String
                ? new PodPlacement.OnNode(node.GetString() ?? "") : new PodPlacement.OnNode("");
        }
        catch (JsonException e) { return new PodPlacement.Unknown($"read pod {podRef}: invalid JSON ({e.Message})"); }
    }

    public async Task Ping(CancellationToken ct)
    {
        // STATUS only: a LIST capped at one item proves the API, the CRD and the credentials in one call.
        var r = await KubeFailure.Transported(() => api.List(Pools, 1, ct), "list IPPools");
        if (!r.Ok) throw Failure(r, "list IPPools");
    }

    StoreUnavailableException Failure(KubeResponse r, string what) => KubeFailure.Of(r, what, api, config);

    JsonDocument Parse(KubeResponse r, string kind, string name) => KubeObjects.Parse(r, kind, api.Namespace, name);

    public ValueTask DisposeAsync()
    {
        api.Dispose();
        return ValueTask.CompletedTask;
    }
}
