using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// A store through which the shell dies once, before step <paramref name="crashBefore"/> of a plan: the loop
/// loads its pools before every attempt, so writes are counted from the last pool load, and that write fails
/// with a permanent <see cref="StoreUnavailableException"/> (the request fails at once, after the loop has
/// taken back the steps that ran). After the crash every call passes, so the compensation is not hindered.
/// A reservation delete is never where it dies, nor counted as a step: ADD plans hold none, so a delete is the
/// compensation of an attempt that stopped short (a held reservation), which the loop runs without loading a
/// pool first; counted, it would take the crash meant for a later plan step and leave its reservation behind.
/// </summary>
public sealed class CrashingStore(IPoolStore inner, int crashBefore) : IPoolStore
{
    /// <summary>The CNI error code the crashed request fails with: a permanent store failure, told apart by its message.</summary>
    public const int Code = Core.Errors.StoreUnavailableCode;

    public const string Message = "injected: the shell crashed part-way through the plan";

    readonly object gate = new();
    int writesSinceLoad;
    bool crashed;

    public static bool IsCrash(LanguageExt.Common.Error error) => error is Core.StoreUnavailable && error.Message == Message;

    public Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct)
    {
        lock (gate) writesSinceLoad = 0;
        return inner.LoadPool(key, ct);
    }

    public Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct) => inner.LoadReservation(key, ct);

    public Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) => inner.ListReservations(namePrefix, ct);

    public Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) => inner.ListPools(namePrefix, ct);

    public Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        if (op is StoreOp.DeleteReservation) return inner.Apply(op, ct);
        lock (gate)
        {
            if (!crashed && writesSinceLoad++ == crashBefore)
            {
                crashed = true;
                throw new StoreUnavailableException(Message, transient: false) { Code = Code };
            }
        }
        return inner.Apply(op, ct);
    }

    public Task Ping(CancellationToken ct) => inner.Ping(ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
