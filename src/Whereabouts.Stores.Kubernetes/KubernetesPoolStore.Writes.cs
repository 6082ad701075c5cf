using System.Text.Json;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// The store's writes: one guarded request per call (create-if-absent, resourceVersion, delete precondition).
/// A write whose answer is lost (connection reset or timeout after sending, a 5xx that may follow a commit)
/// may or may not have committed; rather than guess, the object is read back once, as the etcd store does:
/// what we wrote, or our change visible under a newer version → Applied; unchanged → not applied, a transient
/// failure the retry loop sends again; anything else → Conflict (the caller reloads and decides again). When
/// the read-back fails too, <see cref="WriteOutcomeUnknownException"/>. Nothing here waits or retries.
/// </summary>
public sealed partial class KubernetesPoolStore
{
    public async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        try
        {
            return await Attempt(op, ct);
        }
        catch (KubeTransportException e)
        {
            return await Settle(op, new StoreUnavailableException($"{Describe(op)}: {e.Message}", transient: true, e), ct);
        }
        catch (AmbiguousAnswer e)
        {
            return await Settle(op, e.Failure, ct);
        }
    }

    /// <summary>A 5xx to a write: it may have committed before the server failed (e.g. an etcd timeout).</summary>
    sealed class AmbiguousAnswer(StoreUnavailableException failure) : Exception(failure.Message)
    {
        public StoreUnavailableException Failure { get; } = failure;
    }

    /// <summary>One read-back after a lost answer: it tells, or the outcome is unknown (the retry loop decides what next).</summary>
    async Task<ApplyResult> Settle(StoreOp op, StoreUnavailableException lost, CancellationToken ct)
    {
        ApplyResult? known;
        try
        {
            known = await ReadBack(op, ct);
        }
        catch (StoreUnavailableException e) when (e.Transient)
        {
            throw new WriteOutcomeUnknownException($"{lost.Message}; whether it was applied is unknown: reading it back failed too ({e.Message})", lost);
        }
        log.Debug($"{Describe(op)}: {lost.Message}; read back: {(known is { } o ? o.ToString() : "not applied")}");
        return known ?? throw lost;
    }

    /// <summary>A pool write the server accepted, to <see cref="PoolWritten"/>'s listener: the state written, at the version answered.</summary>
    void Tell(KubeResponse r, PoolKey key, PoolState written)
    {
        if (PoolWritten is not { } listener || !r.Ok) return;
        try
        {
            using var doc = JsonDocument.Parse(r.Body);
            listener(new PoolSnapshot(key, new StoreVersion(KubeObjects.Version(doc.RootElement)), written) { StoreMetadata = KubeObjects.KeptMetadataOf(doc.RootElement) });
        }
        catch (JsonException) { /* the write stands; the listener reads the pool when it next needs it */ }
    }

    async Task<ApplyResult> Attempt(StoreOp op, CancellationToken ct)
    {
        switch (op)
        {
            case StoreOp.CreatePool c:
            {
                var r = await api.Create(Pools, Build("IPPool", c.Pool.Name, null, null, w => PoolCodec.Write(w, c.Initial)), ct);
                Tell(r, c.Pool, c.Initial);
                return Written(KubeFailure.StorablePool(r, c.Pool.Name, api), ApplyResult.Conflict, $"create IPPool {c.Pool.Name}", "");
            }
            case StoreOp.ReplacePool p:
            {
                var keep = p.From.StoreMetadata as KubeObjectMetadata;
                var r = await api.Replace(Pools, p.Pool.Name, Build("IPPool", p.Pool.Name, p.IfVersion.Value, keep, w => PoolCodec.Write(w, p.Next)), ct);
                Tell(r, p.Pool, p.Next);
                return Written(KubeFailure.StorablePool(r, p.Pool.Name, api), ApplyResult.Conflict, $"replace IPPool {p.Pool.Name}", p.Pool.Name);
            }
            case StoreOp.CreateReservation c:
            {
                var r = await api.Create(Reservations, Build("OverlappingRangeIPReservation", c.Key.Name, null, null, w => ReservationCodec.Write(w, c.Owner)), ct);
                return Written(r, ApplyResult.Conflict, $"create OverlappingRangeIPReservation {c.Key.Name}", "");
            }
            case StoreOp.DeleteReservation d:
            {
                if (await ReadReservation(d.Key, ct) is not { } held) return ApplyResult.Missing;
                if (!Ownership.MayDelete(d, held.Owner)) return ApplyResult.Conflict;
                var r = await api.Delete(Reservations, d.Key.Name, KubeObjects.DeleteOptions(held.Version), ct);
                return Written(r, ApplyResult.Conflict, $"delete OverlappingRangeIPReservation {d.Key.Name}", d.Key.Name);
            }
            default:
                throw new ArgumentException($"{op.GetType().Name} is not a store operation", nameof(op));
        }
    }

    /// <summary>2xx → Applied; 409 (the guard) → its result; 404 on the object itself → Missing; 5xx → read back.</summary>
    ApplyResult Written(KubeResponse r, ApplyResult guardResult, string what, string objectName)
    {
        if (r.Ok) return ApplyResult.Applied;
        if (r.Code == 409) return guardResult;
        if (objectName.Length > 0 && KubeFailure.IsMissingObject(r, objectName)) return ApplyResult.Missing;
        if (r.Code >= 500) throw new AmbiguousAnswer(Failure(r, what));
        throw Failure(r, what);
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
                    : WriteReadBack.Same(now.State, c.Initial) || WriteReadBack.ChangeVisible(PoolState.Empty(c.Initial.Range), c.Initial, now.State) ? ApplyResult.Applied
                    : ApplyResult.Conflict;
            }
            case StoreOp.ReplacePool p:
            {
                var now = await LoadPool(p.Pool, ct);
                if (!now.Exists) return ApplyResult.Missing;
                // Ours, or ours with another writer's change on top (it read our version and built on it).
                if (WriteReadBack.Same(now.State, p.Next) || WriteReadBack.ChangeVisible(p.Read, p.Next, now.State)) return ApplyResult.Applied;
                return now.Version.Exists(v => v == p.IfVersion) ? null : ApplyResult.Conflict;
            }
            case StoreOp.CreateReservation c:
            {
                // The owner we wrote, container ID included: ours → Applied, anyone else's → Conflict.
                var now = await ReadReservation(c.Key, ct);
                return now is null ? null : now.Owner == c.Owner ? ApplyResult.Applied : ApplyResult.Conflict;
            }
            case StoreOp.DeleteReservation d:
            {
                var now = await ReadReservation(d.Key, ct);
                return now is null ? ApplyResult.Applied : Ownership.MayDelete(d, now.Owner) ? null : ApplyResult.Conflict;
            }
            default:
                throw new ArgumentException($"{op.GetType().Name} is not a store operation", nameof(op));
        }
    }

    byte[] Build(string kind, string name, string? resourceVersion, KubeObjectMetadata? keep, Action<System.Text.Json.Utf8JsonWriter> spec) =>
        KubeObjects.Build(kind, api.Namespace, name, resourceVersion, keep, spec);

    static string Describe(StoreOp op) => op switch
    {
        StoreOp.CreatePool c => $"create IPPool {c.Pool}",
        StoreOp.ReplacePool r => $"replace IPPool {r.Pool} at resourceVersion {r.IfVersion}",
        StoreOp.CreateReservation c => $"create OverlappingRangeIPReservation {c.Key}",
        StoreOp.DeleteReservation d => $"delete OverlappingRangeIPReservation {d.Key}",
        _ => op.GetType().Name,
    };
}
