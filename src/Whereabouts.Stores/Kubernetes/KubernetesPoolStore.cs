using System.Runtime.InteropServices;
using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
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
/// Every write is guarded, so a failed one is simply sent again (10 attempts or 5 s at most, Retry-After
/// honoured). A write whose answer is lost (connection reset, timeout, 5xx) may or may not have committed;
/// rather than guess, the store reads the object back: exactly what we wrote, or our change visible under a
/// newer version → Applied; unchanged → not applied, send again; anything else → Conflict (the caller reloads
/// and decides again). What can remain when the API stays down longer is in docs/compatibility.md.
/// </para>
/// </summary>
public sealed class KubernetesPoolStore : IPoolStore
{
    public const string Pools = "ippools";
    public const string Reservations = "overlappingrangeipreservations";
    public const string NodeSlicePools = "nodeslicepools";

    /// <summary>Per request; upstream uses 10 s for all its calls together.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest Retry-After (from a 429) the store waits out before reporting the failure.</summary>
    static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

    readonly KubeApi api;
    readonly Kubeconfig config;
    readonly Log log;

    public KubernetesPoolStore(Kubeconfig config, Log log, TimeSpan? requestTimeout = null, StoreHooks? hooks = null)
    {
        this.config = config;
        this.log = log;
        api = new KubeApi(config, requestTimeout ?? DefaultRequestTimeout, hooks);
    }

    /// <summary>Reads the kubeconfig; no request is made until the first load.</summary>
    public static KubernetesPoolStore Open(string kubeconfigPath, Log log, StoreHooks? hooks = null) => new(Kubeconfig.Load(kubeconfigPath), log, hooks: hooks);

    public string Namespace => api.Namespace;

    internal KubeApi Api => api;

    // ---- loads ----

    public async Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct)
    {
        var r = await Read(() => api.Get(Pools, key.Name, ct), $"read IPPool {key.Name}");
        if (IsMissingObject(r, key.Name)) return PoolSnapshot.Missing(key);
        if (!r.Ok) throw await Failure(r, $"read IPPool {key.Name}", ct);
        using var doc = Parse(r, "IPPool", key.Name);
        var root = doc.RootElement;
        var version = Version(root);
        if (!root.TryGetProperty("spec", out var spec))
            throw new StoreUnavailableException($"IPPool {api.Namespace}/{key.Name} has no spec; repair or delete it", transient: false);
        var state = PoolCodec.Decode(key.Name, JsonMarshal.GetRawUtf8Value(spec)).Match(
            Succ: s => s,
            Fail: e => throw new StoreUnavailableException($"{e.Message} (IPPool {api.Namespace}/{key.Name}); repair or delete it", transient: false));
        return new PoolSnapshot(key, new StoreVersion(version), state) { StoreMetadata = KeptMetadataOf(root) };
    }

    public async Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct) =>
        await ReadReservation(key, ct) is { } held ? Option<Owner>.Some(held.Owner) : Option<Owner>.None;

    sealed record StoredReservation(Owner Owner, string Version);

    async Task<StoredReservation?> ReadReservation(ReservationKey key, CancellationToken ct)
    {
        var r = await Read(() => api.Get(Reservations, key.Name, ct), $"read OverlappingRangeIPReservation {key.Name}");
        if (IsMissingObject(r, key.Name)) return null;
        if (!r.Ok) throw await Failure(r, $"read OverlappingRangeIPReservation {key.Name}", ct);
        using var doc = Parse(r, "OverlappingRangeIPReservation", key.Name);
        var owner = doc.RootElement.TryGetProperty("spec", out var spec)
            ? ReservationCodec.Decode(key.Name, JsonMarshal.GetRawUtf8Value(spec)).Match(
                Succ: o => o,
                Fail: e => throw new StoreUnavailableException($"{e.Message} (OverlappingRangeIPReservation {api.Namespace}/{key.Name}); repair or delete it", transient: false))
            : new Owner("", "", "");
        return new StoredReservation(owner, Version(doc.RootElement));
    }

    public async Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) =>
        await List(Reservations, "OverlappingRangeIPReservations", namePrefix, (name, _, spec, _) =>
            ReservationCodec.Decode(name, spec).ToOption().Map(o => new ReservationEntry(name, o)), ct);

    public async Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) =>
        await List(Pools, "IPPools", namePrefix, (name, version, spec, item) =>
            PoolCodec.Decode(name, spec).ToOption().Map(s => new PoolSnapshot(new PoolKey(name, s.Range), new StoreVersion(version), s) { StoreMetadata = KeptMetadataOf(item) }), ct);

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
            var r = await Read(() => api.ListPage(plural, ListPageSize, page, ct), $"list {what}");
            if (!r.Ok) throw await Failure(r, $"list {what}", ct);
            using var doc = Parse(r, what, "");
            var root = doc.RootElement;
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
                foreach (var item in items.EnumerateArray())
                {
                    var name = item.TryGetProperty("metadata", out var m) && m.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";
                    if (name.Length == 0 || !name.StartsWith(namePrefix, StringComparison.Ordinal) || !item.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object) continue;
                    decode(name, Version(item), JsonMarshal.GetRawUtf8Value(spec), item).IfSome(found.Add);
                }
            token = root.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "" : "";
        } while (token.Length > 0);
        return found.ToImmutable();
    }

    /// <summary>The NodeSlicePool as JSON, or null when it does not exist (see <see cref="KubernetesNodeSlices"/>).</summary>
    public async Task<JsonDocument?> ReadNodeSlicePool(string name, CancellationToken ct)
    {
        var r = await Read(() => api.Get(NodeSlicePools, name, ct), $"read NodeSlicePool {name}");
        if (IsMissingObject(r, name)) return null;
        if (!r.Ok) throw await Failure(r, $"read NodeSlicePool {name}", ct);
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
        if (IsMissingObject(r, name)) return new PodPlacement.Gone();
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

    // ---- writes ----

    public async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        // Every write is guarded (create-if-absent, resourceVersion, delete precondition), so repeating one
        // that failed, or whose outcome is unknown, can never apply it twice: it answers Conflict instead.
        // Retrying here, briefly, matters most for compensations (the undo of a half-run plan), which the
        // executor runs once: a single 500 there would otherwise leave an orphaned reservation behind.
        var started = Stopwatch.GetTimestamp();
        // Set once an earlier attempt's outcome stayed unknown: a Conflict now may be our own write.
        var uncertain = false;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                ApplyResult result;
                try
                {
                    result = await Attempt(op, ct);
                }
                catch (KubeTransportException e)
                {
                    result = await Settle(e.Message);
                }
                catch (AmbiguousAnswer e)
                {
                    result = await Settle(e.Message);
                }
                if (result == ApplyResult.Conflict && uncertain)
                    result = await Resolve(op, "conflict after a write of unknown outcome", ct) ?? ApplyResult.Conflict;
                return result;
            }
            catch (StoreUnavailableException e) when (e.Transient && attempt + 1 < WriteAttempts && Stopwatch.GetElapsedTime(started) < WriteRetryBudget)
            {
                log.Debug($"{Describe(op)}: {e.Message}; trying again");
                await Task.Delay(Backoff(attempt), ct);
            }
            catch (StoreUnavailableException e) when (uncertain && e is not WriteOutcomeUnknownException)
            {
                throw new WriteOutcomeUnknownException($"{e.Message} (and an earlier attempt's outcome is unknown)", e);
            }
        }

        async Task<ApplyResult> Settle(string cause)
        {
            ApplyResult? known;
            try
            {
                known = await Resolve(op, cause, ct);
            }
            catch (StoreUnavailableException)
            {
                uncertain = true;
                throw;
            }
            return known ?? throw new StoreUnavailableException($"{cause}; it was not applied", transient: true);
        }
    }

    const int WriteAttempts = 10;
    static readonly TimeSpan WriteRetryBudget = TimeSpan.FromSeconds(5);

    /// <summary>Full jitter over 20 ms × 2^attempt, at most 320 ms.</summary>
    static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(20 << attempt, 320));

    async Task<ApplyResult> Attempt(StoreOp op, CancellationToken ct)
    {
        switch (op)
        {
            case StoreOp.CreatePool c:
            {
                var r = await api.Create(Pools, Build("IPPool", c.Pool.Name, null, null, w => PoolCodec.Write(w, c.Initial)), ct);
                return await Written(StorablePool(r, c.Pool.Name), 409, ApplyResult.Conflict, $"create IPPool {c.Pool.Name}", "", ct);
            }
            case StoreOp.ReplacePool p:
            {
                var keep = p.From.StoreMetadata as KubeObjectMetadata;
                var r = await api.Replace(Pools, p.Pool.Name, Build("IPPool", p.Pool.Name, p.IfVersion.Value, keep, w => PoolCodec.Write(w, p.Next)), ct);
                return await Written(StorablePool(r, p.Pool.Name), 409, ApplyResult.Conflict, $"replace IPPool {p.Pool.Name}", p.Pool.Name, ct);
            }
            case StoreOp.CreateReservation c:
            {
                var r = await api.Create(Reservations, Build("OverlappingRangeIPReservation", c.Key.Name, null, null, w => ReservationCodec.Write(w, c.Owner)), ct);
                return await Written(r, 409, ApplyResult.Conflict, $"create OverlappingRangeIPReservation {c.Key.Name}", "", ct);
            }
            case StoreOp.DeleteReservation d:
            {
                if (await ReadReservation(d.Key, ct) is not { } held) return ApplyResult.Missing;
                if (!Ownership.MayDelete(d, held.Owner)) return ApplyResult.Conflict;
                var r = await api.Delete(Reservations, d.Key.Name, DeleteOptions(held.Version), ct);
                return await Written(r, 409, ApplyResult.Conflict, $"delete OverlappingRangeIPReservation {d.Key.Name}", d.Key.Name, ct);
            }
            default:
                throw new ArgumentException($"{op.GetType().Name} is not a store operation", nameof(op));
        }
    }

    /// <summary>2xx → Applied; the guard's code → its result; 404 on the object itself → Missing; 5xx → ask the store.</summary>
    async Task<ApplyResult> Written(KubeResponse r, int guardCode, ApplyResult guardResult, string what, string objectName, CancellationToken ct)
    {
        if (r.Ok) return ApplyResult.Applied;
        if (r.Code == guardCode) return guardResult;
        if (objectName.Length > 0 && IsMissingObject(r, objectName)) return ApplyResult.Missing;
        // A 5xx can come after the write committed (e.g. an etcd timeout): only a read can tell.
        if (r.Code >= 500) throw new AmbiguousAnswer($"{what}: {r.Code} {r.Message}");
        throw await Failure(r, what, ct);
    }

    sealed class AmbiguousAnswer(string message) : Exception(message);

    const int ReadBackAttempts = 4;

    /// <summary>
    /// The answer to a write was lost: read the object back to learn what happened (see the class comment).
    /// Null means it did not happen; a transient failure means nobody can tell yet.
    /// </summary>
    async Task<ApplyResult?> Resolve(StoreOp op, string cause, CancellationToken ct)
    {
        // Ask a few times: a failed read-back leaves the write's outcome unknown to the caller.
        for (var attempt = 0; attempt < ReadBackAttempts; attempt++)
        {
            if (attempt > 0) await Task.Delay(Backoff(attempt), ct);
            ApplyResult? outcome;
            try
            {
                outcome = await ReadBack(op, ct);
            }
            catch (StoreUnavailableException e) when (e.Transient)
            {
                log.Debug($"{Describe(op)}: reading back after \"{cause}\" failed: {e.Message}");
                continue;
            }
            log.Debug($"{Describe(op)}: {cause}; read back: {(outcome is { } o ? o.ToString() : "not applied")}");
            return outcome;
        }
        throw new WriteOutcomeUnknownException($"{cause}; whether it was applied is unknown: reading it back failed too");
    }

    /// <summary>Applied, Conflict or Missing when the stored object tells; null when the write did not happen.</summary>
    async Task<ApplyResult?> ReadBack(StoreOp op, CancellationToken ct)
    {
        switch (op)
        {
            case StoreOp.CreatePool c:
            {
                var now = await LoadPool(c.Pool, ct);
                return !now.Exists ? null
                    : Same(now.State, c.Initial) || ChangeVisible(PoolState.Empty(c.Initial.Range), c.Initial, now.State) ? ApplyResult.Applied
                    : ApplyResult.Conflict;
            }
            case StoreOp.ReplacePool p:
            {
                var now = await LoadPool(p.Pool, ct);
                if (!now.Exists) return ApplyResult.Missing;
                // Ours, or ours with another writer's change on top (it read our version and built on it).
                if (Same(now.State, p.Next) || ChangeVisible(p.Read, p.Next, now.State)) return ApplyResult.Applied;
                return now.Version.Exists(v => v == p.IfVersion) ? null : ApplyResult.Conflict;
            }
            case StoreOp.CreateReservation c:
            {
                var now = await LoadReservation(c.Key, ct);
                return now.Case is not Owner o ? null : o == c.Owner ? ApplyResult.Applied : ApplyResult.Conflict;
            }
            case StoreOp.DeleteReservation d:
            {
                var now = await LoadReservation(d.Key, ct);
                return now.IsNone ? ApplyResult.Applied : null;
            }
            default:
                throw new ArgumentException($"{op.GetType().Name} is not a store operation", nameof(op));
        }
    }

    static bool Same(PoolState a, PoolState b) => WriteReadBack.Same(a, b);

    static bool ChangeVisible(PoolState before, PoolState written, PoolState now) => WriteReadBack.ChangeVisible(before, written, now);

    public async Task Ping(CancellationToken ct)
    {
        // STATUS only: a LIST capped at one item proves the API, the CRD and the credentials in one call.
        var r = await Read(() => api.List(Pools, 1, ct), "list IPPools");
        if (!r.Ok) throw await Failure(r, "list IPPools", ct);
    }

    // ---- helpers ----

    async Task<KubeResponse> Read(Func<Task<KubeResponse>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (KubeTransportException e)
        {
            throw new StoreUnavailableException($"{what}: {e.Message}", transient: true, e);
        }
    }

    /// <summary>
    /// The object may not grow any more: etcd's request limit (1.5 MiB by default), which the apiserver passes on
    /// as a 500 Status "etcdserver: request is too large" (nothing was stored), or the apiserver's own body
    /// limit, 413 RequestEntityTooLarge.
    /// </summary>
    KubeResponse StorablePool(KubeResponse r, string pool) =>
        r.Code == 413 || (r.Code >= 500 && r.Message.Contains("request is too large", StringComparison.Ordinal))
            ? throw StoreUnavailableException.PoolTooLarge($"IPPool {api.Namespace}/{pool}", $"{r.Code} {r.Message}")
            : r;

    /// <summary>A 404 about this object (the Status names it), not about a missing CRD, namespace or route.</summary>
    static bool IsMissingObject(KubeResponse r, string name) => r.Code == 404 && r.DetailsName == name;

    /// <summary>The failure a non-2xx answer means: transient (429, 5xx, 408) or not (401, 403, 404 of a route, 4xx).</summary>
    async Task<StoreUnavailableException> Failure(KubeResponse r, string what, CancellationToken ct)
    {
        var message = r.Message;
        switch (r.Code)
        {
            case 401:
                return new($"the Kubernetes API {api.Server} refused the credentials of kubeconfig {config.Source} (401 Unauthorized: {message}); " +
                           "renew the service-account token in the kubeconfig or fix the kubeconfig's user", transient: false);
            case 403:
                return new($"the Kubernetes API {api.Server} forbids the plugin to {what} in namespace {api.Namespace} (403 Forbidden: {message}); " +
                           "grant its service account get, list, create, update and delete on ippools and overlappingrangeipreservations", transient: false);
            case 429:
                // Honour the server's Retry-After as a minimum before the caller's own backoff.
                var wait = r.RetryAfter is { } ra && ra > TimeSpan.Zero ? (ra < MaxRetryAfter ? ra : MaxRetryAfter) : TimeSpan.Zero;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                return new($"{what}: the Kubernetes API is throttling (429: {message})", transient: true);
            case 404:
                return new($"{what}: {message} (404); install the whereabouts CRDs (deploy/crds) and check that namespace {api.Namespace} exists", transient: false);
            case 408 or >= 500:
                return new($"{what}: {r.Code} {message}", transient: true);
            default:
                return new($"{what}: the Kubernetes API answered {r.Code} {r.Reason}: {message}", transient: false);
        }
    }

    JsonDocument Parse(KubeResponse r, string kind, string name)
    {
        try
        {
            return JsonDocument.Parse(r.Body);
        }
        catch (JsonException e)
        {
            throw new StoreUnavailableException($"{kind} {api.Namespace}/{name}: the API answered with invalid JSON ({e.Message})", transient: true, e);
        }
    }

    static string Version(JsonElement root) =>
        root.TryGetProperty("metadata", out var m) && m.TryGetProperty("resourceVersion", out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString() ?? "" : "";

    /// <summary>Metadata fields a replace carries over from the object read; everything else is the server's.</summary>
    static readonly string[] KeptMetadata = ["labels", "annotations", "ownerReferences", "finalizers"];

    /// <summary>The snapshot's <see cref="PoolSnapshot.StoreMetadata"/>: the kept fields of the object's metadata, as JSON.</summary>
    sealed record KubeObjectMetadata(byte[] Json);

    static KubeObjectMetadata? KeptMetadataOf(JsonElement item)
    {
        if (!item.TryGetProperty("metadata", out var meta) || meta.ValueKind != JsonValueKind.Object) return null;
        var buffer = new ArrayBufferWriter<byte>();
        var any = false;
        using (var w = new Utf8JsonWriter(buffer, Core.JsonEscaping.Compact))
        {
            w.WriteStartObject();
            foreach (var field in KeptMetadata)
                if (meta.TryGetProperty(field, out var value))
                {
                    any = true;
                    w.WritePropertyName(field);
                    value.WriteTo(w);
                }
            w.WriteEndObject();
        }
        return any ? new KubeObjectMetadata(buffer.WrittenSpan.ToArray()) : null;
    }

    /// <summary>An object as upstream writes it: apiVersion, kind, metadata.name/namespace, spec.</summary>
    byte[] Build(string kind, string name, string? resourceVersion, KubeObjectMetadata? keep, Action<Utf8JsonWriter> spec)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Core.JsonEscaping.Compact))
        {
            w.WriteStartObject();
            w.WriteString("apiVersion", KubeApi.ApiVersion);
            w.WriteString("kind", kind);
            w.WriteStartObject("metadata");
            w.WriteString("name", name);
            w.WriteString("namespace", api.Namespace);
            if (resourceVersion is not null) w.WriteString("resourceVersion", resourceVersion);
            if (keep is not null)
            {
                using var meta = JsonDocument.Parse(keep.Json);
                foreach (var field in meta.RootElement.EnumerateObject()) field.WriteTo(w);
            }
            w.WriteEndObject();
            w.WritePropertyName("spec");
            spec(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static byte[] DeleteOptions(string resourceVersion)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, Core.JsonEscaping.Compact))
        {
            w.WriteStartObject();
            w.WriteString("kind", "DeleteOptions");
            w.WriteString("apiVersion", "v1");
            w.WriteStartObject("preconditions");
            w.WriteString("resourceVersion", resourceVersion);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static string Describe(StoreOp op) => op switch
    {
        StoreOp.CreatePool c => $"create IPPool {c.Pool}",
        StoreOp.ReplacePool r => $"replace IPPool {r.Pool} at resourceVersion {r.IfVersion}",
        StoreOp.CreateReservation c => $"create OverlappingRangeIPReservation {c.Key}",
        StoreOp.DeleteReservation d => $"delete OverlappingRangeIPReservation {d.Key}",
        _ => op.GetType().Name,
    };

    public ValueTask DisposeAsync()
    {
        api.Dispose();
        return ValueTask.CompletedTask;
    }
}
