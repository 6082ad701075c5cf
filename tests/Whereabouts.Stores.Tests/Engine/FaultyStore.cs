using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>What the next store call suffers.</summary>
public enum Fault
{
    None,
    /// <summary>A create or replace answers Conflict without writing, as if another writer got there first.</summary>
    Conflict,
    /// <summary>The call fails before reaching the store (a refused connection, a 503, a 429 asking to wait).</summary>
    Unavailable,
    /// <summary>The write commits but its answer is lost.</summary>
    CommittedUnheard,
    /// <summary>The write does not commit and its answer is lost.</summary>
    LostUnheard,
}

/// <summary>
/// A store that fails calls as a script says, over <see cref="Memory.InMemoryPoolStore"/>: each load and write
/// takes the script's next fault; once it is used up, every call passes. Deletes never answer a false
/// Conflict: a real store says Conflict on a delete only when someone else holds the reservation.
/// </summary>
public sealed class FaultyStore(IPoolStore inner, IEnumerable<Fault> script) : IPoolStore
{
    readonly object gate = new();
    readonly Queue<Fault> faults = new(script);

    Fault Next()
    {
        lock (gate) return faults.TryDequeue(out var f) ? f : Fault.None;
    }

    static StoreUnavailableException Unavailable() =>
        new("injected: the store is unavailable", transient: true) { RetryAfter = TimeSpan.FromMilliseconds(50) };

    public Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct) =>
        Next() == Fault.Unavailable ? Task.FromException<PoolSnapshot>(Unavailable()) : inner.LoadPool(key, ct);

    public Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct) => inner.LoadReservation(key, ct);

    public Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) => inner.ListReservations(namePrefix, ct);

    public Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) => inner.ListPools(namePrefix, ct);

    public async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        switch (Next())
        {
            case Fault.Conflict when op is not StoreOp.DeleteReservation:
                return ApplyResult.Conflict;
            case Fault.Unavailable:
                throw Unavailable();
            case Fault.CommittedUnheard:
                await inner.Apply(op, ct);
                throw new WriteOutcomeUnknownException("injected: the write committed, its answer was lost");
            case Fault.LostUnheard:
                throw new WriteOutcomeUnknownException("injected: the write's answer was lost");
            default:
                return await inner.Apply(op, ct);
        }
    }

    public Task Ping(CancellationToken ct) => inner.Ping(ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
