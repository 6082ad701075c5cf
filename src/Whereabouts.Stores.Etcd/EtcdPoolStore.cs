using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Etcd;

/// <summary>
/// The etcd datastore (<c>"datastore": "etcd"</c>). One key per object:
/// <list type="bullet">
/// <item><c>/whereabouts/ippools/&lt;pool name&gt;</c> → the IPPool spec,
///   <c>{"range":"10.0.0.0/24","allocations":{"1":{"id":"…","podref":"ns/pod","ifname":"net1"}}}</c> (PoolCodec);</item>
/// <item><c>/whereabouts/overlappingrangeipreservations/&lt;reservation name&gt;</c> → the
///   OverlappingRangeIPReservation spec, <c>{"containerid":"…","podref":"ns/pod","ifname":"net1"}</c> (ReservationCodec).</item>
/// </list>
/// Names are the CRD object names (PoolKey, ReservationKey). A pool's version is its key's <c>mod_revision</c>.
/// Every write is one transaction: create guarded by <c>create_revision == 0</c>, replace guarded by
/// <c>mod_revision == version read</c>, delete of a reservation guarded by its value being the bytes whose
/// owner was checked. An etcd user needs readwrite on the prefix <c>/whereabouts/</c>.
/// </summary>
public sealed class EtcdPoolStore(EtcdClient client, bool ownsClient = true) : IPoolStore
{
    public const string Root = "/whereabouts/";
    public const string PoolPrefix = Root + "ippools/";
    public const string ReservationPrefix = Root + "overlappingrangeipreservations/";

    public EtcdPoolStore(EtcdOptions options, Log? log = null) : this(new EtcdClient(options, log)) { }

    public static byte[] PoolKeyBytes(string name) => Encoding.UTF8.GetBytes(PoolPrefix + name);

    public static byte[] ReservationKeyBytes(string name) => Encoding.UTF8.GetBytes(ReservationPrefix + name);

    public async Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct)
    {
        var kv = await Get(PoolKeyBytes(key.Name), ct);
        return kv is null ? PoolSnapshot.Missing(key) : Snapshot(key, kv);
    }

    static PoolSnapshot Snapshot(PoolKey key, EtcdKeyValue kv) =>
        PoolCodec.Decode(key.Name, kv.Value ?? []).Match(
            Succ: state => new PoolSnapshot(key, new StoreVersion(kv.ModRevision.ToString(CultureInfo.InvariantCulture)), state),
            Fail: e => throw new StoreUnavailableException($"{e.Message} (etcd key {PoolPrefix}{key.Name}); repair or remove it", transient: false));

    public async Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct)
    {
        var kv = await Get(ReservationKeyBytes(key.Name), ct);
        return kv is null ? Option<Owner>.None : Option<Owner>.Some(Owner(key, kv));
    }

    static Owner Owner(ReservationKey key, EtcdKeyValue kv) =>
        ReservationCodec.Decode(key.Name, kv.Value ?? []).Match(
            Succ: owner => owner,
            Fail: e => throw new StoreUnavailableException($"{e.Message} (etcd key {ReservationPrefix}{key.Name}); repair or remove it", transient: false));

    public async Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) =>
        (await Scan(ReservationPrefix, namePrefix, ct))
            .Choose(kv => ReservationCodec.Decode(kv.Name, kv.Value.Value ?? []).ToOption().Map(o => new ReservationEntry(kv.Name, o)))
            .ToImmutableArray();

    public async Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) =>
        (await Scan(PoolPrefix, namePrefix, ct))
            .Choose(kv => PoolCodec.Decode(kv.Name, kv.Value.Value ?? []).ToOption().Map(state =>
                new PoolSnapshot(new PoolKey(kv.Name, state.Range), new StoreVersion(kv.Value.ModRevision.ToString(CultureInfo.InvariantCulture)), state)))
            .ToImmutableArray();

    /// <summary>Pages through the keys under kind prefix + name prefix, a bounded number of keys per request.</summary>
    async Task<List<(string Name, EtcdKeyValue Value)>> Scan(string kindPrefix, string namePrefix, CancellationToken ct)
    {
        var prefix = Encoding.UTF8.GetBytes(kindPrefix + namePrefix);
        var end = EtcdClient.PrefixEnd(prefix);
        var found = new List<(string, EtcdKeyValue)>();
        for (var from = prefix; ;)
        {
            var page = await client.Range(new EtcdRangeRequest { Key = from, RangeEnd = end, Limit = ScanPage }, ct);
            var kvs = page.Kvs ?? [];
            foreach (var kv in kvs) found.Add((Encoding.UTF8.GetString(kv.Key)[kindPrefix.Length..], kv));
            if (!page.More || kvs.Count == 0) return found;
            from = [.. kvs[^1].Key, 0];
        }
    }

    const int ScanPage = 500;

    /// <summary>
    /// One guarded transaction. etcd can commit a transaction whose answer never arrives (a client timeout
    /// during a stall, a reset, "request timed out"), so after a transient failure the key is read back before
    /// anything is concluded: our change visible → Applied; unchanged → not applied (the failure stands);
    /// someone else's → Conflict. When the read fails too, the outcome is unknown (WriteOutcomeUnknownException).
    /// </summary>
    public async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        try
        {
            return await Attempt(op, ct);
        }
        catch (StoreUnavailableException e) when (e.Transient && e is not WriteOutcomeUnknownException && !NeverSent(e))
        {
            if (await Resolve(op, e, ct) is { } known) return known;
            throw;
        }
    }

    /// <summary>No endpoint took the connection (refused, unresolvable): the request never left, nothing to read back.</summary>
    static bool NeverSent(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }) return true;
        return false;
    }

    /// <summary>One read-back after a lost answer: it tells, or the outcome is unknown (the retry loop decides what next).</summary>
    async Task<ApplyResult?> Resolve(StoreOp op, StoreUnavailableException failure, CancellationToken ct)
    {
        try
        {
            return await ReadBack(op, ct);
        }
        catch (StoreUnavailableException e) when (e.Transient)
        {
            throw new WriteOutcomeUnknownException($"{failure.Message}; whether the write was applied is unknown: reading it back failed too ({e.Message})", failure);
        }
    }

    /// <summary>Applied, Conflict or Missing when the stored key tells; null when the write did not happen.</summary>
    async Task<ApplyResult?> ReadBack(StoreOp op, CancellationToken ct)
    {
        switch (op)
        {
            case StoreOp.CreatePool c:
            {
                var kv = await Get(PoolKeyBytes(c.Pool.Name), ct);
                if (kv is null) return null;
                var now = Snapshot(c.Pool, kv).State;
                return WriteReadBack.Same(now, c.Initial) || WriteReadBack.ChangeVisible(PoolState.Empty(c.Initial.Range), c.Initial, now)
                    ? ApplyResult.Applied : ApplyResult.Conflict;
            }
            case StoreOp.ReplacePool r:
            {
                var kv = await Get(PoolKeyBytes(r.Pool.Name), ct);
                if (kv is null) return ApplyResult.Missing;
                if (kv.ModRevision.ToString(CultureInfo.InvariantCulture) == r.IfVersion.Value) return null;
                var now = Snapshot(r.Pool, kv).State;
                // Ours, or ours with another writer's change on top (it read our version and built on it).
                return WriteReadBack.Same(now, r.Next) || (WriteReadBack.ChangeVisible(r.Read, r.Next, now))
                    ? ApplyResult.Applied : ApplyResult.Conflict;
            }
            case StoreOp.CreateReservation c:
            {
                var kv = await Get(ReservationKeyBytes(c.Key.Name), ct);
                return kv is null ? null : Owner(c.Key, kv) == c.Owner ? ApplyResult.Applied : ApplyResult.Conflict;
            }
            case StoreOp.DeleteReservation d:
            {
                var kv = await Get(ReservationKeyBytes(d.Key.Name), ct);
                return kv is null ? ApplyResult.Applied : Ownership.MayDelete(d, Owner(d.Key, kv)) ? null : ApplyResult.Conflict;
            }
            default:
                throw new ArgumentException($"{op.GetType().Name} is not a store operation", nameof(op));
        }
    }

    Task<ApplyResult> Attempt(StoreOp op, CancellationToken ct) => op switch
    {
        StoreOp.CreatePool c => Create(PoolKeyBytes(c.Pool.Name), PoolCodec.Encode(c.Initial), ct),
        StoreOp.ReplacePool r => Replace(PoolKeyBytes(r.Pool.Name), r.IfVersion, PoolCodec.Encode(r.Next), ct),
        StoreOp.CreateReservation c => Create(ReservationKeyBytes(c.Key.Name), ReservationCodec.Encode(c.Owner), ct),
        StoreOp.DeleteReservation d => Delete(d, ct),
        _ => throw new ArgumentException($"{op.GetType().Name} is not a store operation", nameof(op)),
    };

    /// <summary>Put if the key does not exist: Applied, or Conflict when it does.</summary>
    async Task<ApplyResult> Create(byte[] key, byte[] value, CancellationToken ct)
    {
        var txn = await client.Txn(new EtcdTxnRequest
        {
            Compare = [EtcdCompare.Absent(key)],
            Success = [new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = key, Value = value } }],
        }, ct);
        return txn.Succeeded ? ApplyResult.Applied : ApplyResult.Conflict;
    }

    /// <summary>Put if the key is still at the version read: Applied, Conflict when it moved, Missing when it is gone.</summary>
    async Task<ApplyResult> Replace(byte[] key, StoreVersion version, byte[] value, CancellationToken ct)
    {
        // A version that is not a revision can never match: the guard fails and the failure branch tells which way.
        var revision = long.TryParse(version.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0 ? r : -1;
        var txn = await client.Txn(new EtcdTxnRequest
        {
            Compare = [EtcdCompare.ModifiedAt(key, revision)],
            Success = [new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = key, Value = value } }],
            Failure = [new EtcdRequestOp { RequestRange = new EtcdRangeRequest { Key = key, CountOnly = true } }],
        }, ct);
        if (txn.Succeeded) return ApplyResult.Applied;
        return FailureRange(txn)?.Count > 0 ? ApplyResult.Conflict : ApplyResult.Missing;
    }

    /// <summary>
    /// Delete a reservation only while it belongs to the owner named: delete in a transaction that compares the
    /// value to bytes whose owner was checked. The first guess is the owner's own encoding (what this plugin
    /// wrote: one round trip for DEL and for compensation); otherwise the failure branch returns the stored
    /// value, its owner is checked (upstream writes no container ID, so bytes differ while the owner matches),
    /// and the delete is tried again with those bytes.
    /// </summary>
    async Task<ApplyResult> Delete(StoreOp.DeleteReservation op, CancellationToken ct)
    {
        var key = ReservationKeyBytes(op.Key.Name);
        var txn = await DeleteIfValue(key, ReservationCodec.Encode(op.IfOwnedBy), ct);
        if (txn.Succeeded) return ApplyResult.Applied;
        var kv = FailureRange(txn)?.Kvs?.FirstOrDefault();
        if (kv is null) return ApplyResult.Missing;
        if (!Ownership.MayDelete(op, Owner(op.Key, kv))) return ApplyResult.Conflict;
        // Ours in other bytes (upstream's encoding): delete exactly what was read; if it moved since, Conflict
        // sends the caller back to reload and decide again.
        txn = await DeleteIfValue(key, kv.Value ?? [], ct);
        return txn.Succeeded ? ApplyResult.Applied : FailureRange(txn)?.Kvs?.FirstOrDefault() is null ? ApplyResult.Missing : ApplyResult.Conflict;
    }

    Task<EtcdTxnResponse> DeleteIfValue(byte[] key, byte[] value, CancellationToken ct) =>
        client.Txn(new EtcdTxnRequest
        {
            Compare = [EtcdCompare.ValueIs(key, value)],
            Success = [new EtcdRequestOp { RequestDeleteRange = new EtcdDeleteRangeRequest { Key = key } }],
            Failure = [new EtcdRequestOp { RequestRange = new EtcdRangeRequest { Key = key } }],
        }, ct);

    static EtcdRangeResponse? FailureRange(EtcdTxnResponse txn) => txn.Responses?.FirstOrDefault()?.ResponseRange;

    async Task<EtcdKeyValue?> Get(byte[] key, CancellationToken ct) =>
        (await client.Range(new EtcdRangeRequest { Key = key }, ct)).Kvs?.FirstOrDefault();

    /// <summary>Reads the prefix (a count only), which also checks the credentials' permission on it.</summary>
    public async Task Ping(CancellationToken ct)
    {
        var root = Encoding.UTF8.GetBytes(Root);
        await client.Range(new EtcdRangeRequest { Key = root, RangeEnd = EtcdClient.PrefixEnd(root), CountOnly = true }, ct);
    }

    public ValueTask DisposeAsync()
    {
        if (ownsClient) client.Dispose();
        return ValueTask.CompletedTask;
    }
}
