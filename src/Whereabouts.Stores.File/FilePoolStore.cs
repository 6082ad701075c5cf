using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.FileStore;

/// <summary>
/// The embedded datastore for one host: one JSON document per pool (dir/pools/NAME.json) and per reservation
/// (dir/reservations/NAME.json), shaped like the Kubernetes objects, with metadata.resourceVersion as the
/// compare-and-swap counter. Writers take an exclusive flock on dir/.lock, check the guard, write a temporary
/// file, fsync it, rename it over the old one and fsync the directory; readers need no lock because rename is
/// atomic. A crash at any point leaves either the old or the new document, never a torn one.
/// Directories are created 0700 and files 0600 whatever the umask, and nothing in the store is opened through
/// a symbolic link (docs/security.md).
/// </summary>
public sealed class FilePoolStore : IPoolStore
{
    readonly string dir;

    public FilePoolStore(string dir)
    {
        this.dir = dir;
        try
        {
            SafeFile.CreateDirectory(Path.Combine(dir, "pools"));
            SafeFile.CreateDirectory(Path.Combine(dir, "reservations"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"file datastore directory {dir} cannot be created: {e.Message}; set \"file\": {{\"dir\": ...}} to a writable directory", transient: false, e);
        }
    }

    string PoolPath(string name) => Path.Combine(dir, "pools", name + ".json");
    string ReservationPath(string name) => Path.Combine(dir, "reservations", name + ".json");

    public Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct) => Task.FromResult(ReadPool(key));

    PoolSnapshot ReadPool(PoolKey key)
    {
        var doc = StoredObject.Read(PoolPath(key.Name));
        if (doc is null) return PoolSnapshot.Missing(key);
        return PoolCodec.Decode(key.Name, doc.Spec.Span).Match(
            Succ: state => new PoolSnapshot(key, new StoreVersion(doc.Version), state),
            Fail: e => throw new StoreUnavailableException($"{e.Message} (file {PoolPath(key.Name)}); repair or remove it", transient: false));
    }

    public Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct)
    {
        var doc = StoredObject.Read(ReservationPath(key.Name));
        return Task.FromResult(doc is null ? Option<Owner>.None : Reservation(doc, key.Name));
    }

    Owner Reservation(StoredObject doc, string name) =>
        ReservationCodec.Decode(name, doc.Spec.Span).Match(
            Succ: owner => owner,
            Fail: e => throw new StoreUnavailableException($"{e.Message} (file {ReservationPath(name)}); repair or remove it", transient: false));

    public Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) =>
        Task.FromResult(List("reservations", namePrefix, (name, doc) =>
            ReservationCodec.Decode(name, doc.Spec.Span).Map(owner => new ReservationEntry(name, owner))));

    public Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) =>
        Task.FromResult(List("pools", namePrefix, (name, doc) =>
            PoolCodec.Decode(name, doc.Spec.Span).Map(state =>
                new PoolSnapshot(new PoolKey(name, state.Range), new StoreVersion(doc.Version.ToString(CultureInfo.InvariantCulture)), state))));

    /// <summary>The documents of one kind whose names start with the prefix, decoded; unreadable ones are left out.</summary>
    ImmutableArray<T> List<T>(string kind, string namePrefix, Func<string, StoredObject, LanguageExt.Fin<T>> decode)
    {
        IEnumerable<string> files;
        try { files = Directory.EnumerateFiles(Path.Combine(dir, kind), namePrefix + "*.json").Order(StringComparer.Ordinal).ToArray(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"cannot list {Path.Combine(dir, kind)}: {e.Message}", transient: true, e);
        }
        var found = ImmutableArray.CreateBuilder<T>();
        foreach (var path in files)
        {
            var name = Path.GetFileName(path)[..^".json".Length];
            if (!name.StartsWith(namePrefix, StringComparison.Ordinal)) continue;
            StoredObject? doc;
            try { doc = StoredObject.Read(path); }
            catch (StoreUnavailableException e) when (!e.Transient) { continue; }
            if (doc is not null) decode(name, doc).IfSucc(found.Add);
        }
        return found.ToImmutable();
    }

    public async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        DirectoryLock held;
        try { held = await DirectoryLock.Acquire(Path.Combine(dir, ".lock"), ct); }
        catch (IOException e) { throw new StoreUnavailableException($"file datastore {dir} cannot be locked: {e.Message}", transient: false, e); }
        using (held) return ApplyLocked(op);
    }

    ApplyResult ApplyLocked(StoreOp op)
    {
        switch (op)
        {
            case StoreOp.CreatePool c:
                if (File.Exists(PoolPath(c.Pool.Name))) return ApplyResult.Conflict;
                StoredObject.Write(PoolPath(c.Pool.Name), "IPPool", c.Pool.Name, "1", w => PoolCodec.Write(w, c.Initial));
                return ApplyResult.Applied;
            case StoreOp.ReplacePool r:
                var current = StoredObject.Read(PoolPath(r.Pool.Name));
                if (current is null) return ApplyResult.Missing;
                if (current.Version != r.IfVersion.Value) return ApplyResult.Conflict;
                StoredObject.Write(PoolPath(r.Pool.Name), "IPPool", r.Pool.Name, StoredObject.NextVersion(current.Version), w => PoolCodec.Write(w, r.Next));
                return ApplyResult.Applied;
            case StoreOp.CreateReservation c:
                if (File.Exists(ReservationPath(c.Key.Name))) return ApplyResult.Conflict;
                StoredObject.Write(ReservationPath(c.Key.Name), "OverlappingRangeIPReservation", c.Key.Name, "1", w => ReservationCodec.Write(w, c.Owner));
                return ApplyResult.Applied;
            case StoreOp.DeleteReservation d:
                var stored = StoredObject.Read(ReservationPath(d.Key.Name));
                if (stored is null) return ApplyResult.Missing;
                if (!Ownership.MayDelete(d, Reservation(stored, d.Key.Name))) return ApplyResult.Conflict;
                StoredObject.Delete(ReservationPath(d.Key.Name));
                return ApplyResult.Applied;
            default:
                throw new ArgumentException($"{op.GetType().Name} is not a store operation", nameof(op));
        }
    }

    /// <summary>STATUS: the store can be locked; and, since runtimes ask it periodically, stray temporary files are swept.</summary>
    public Task Ping(CancellationToken ct)
    {
        var probe = Path.Combine(dir, ".lock");
        try
        {
            Posix.Close(Posix.OpenLockFile(probe));
            StrayTemps.Sweep(Path.Combine(dir, "pools"), DateTimeOffset.UtcNow);
            StrayTemps.Sweep(Path.Combine(dir, "reservations"), DateTimeOffset.UtcNow);
        }
        catch (IOException e) { throw new StoreUnavailableException($"file datastore {dir} is not writable: {e.Message}", transient: false, e); }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
