using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Etcd;
using Xunit;
using static Whereabouts.Stores.Tests.Etcd.EtcdFaultProxy;

namespace Whereabouts.Stores.Tests.Etcd;

/// <summary>
/// Transactions that commit while their answer is lost, on a real etcd behind <see cref="EtcdFaultProxy"/>:
/// the store reads back before deciding, and a plan's undo never deletes the reservation of an address whose
/// pool write may have committed.
/// </summary>
public sealed class EtcdAmbiguousWriteTests(PlainEtcdFixture etcd) : IClassFixture<PlainEtcdFixture>, IAsyncLifetime
{
    static readonly Cidr Range = Cidr.Parse("10.30.0.0/24").IfFail(default(Cidr));
    static readonly NetworkScope Scope = new([RangeSpec.Of(Range)], "contract", OverlappingRanges: true);
    static readonly PoolKey Key = Scope.PoolKeys[0];
    static readonly Owner PodA = new("cid-a", "default/pod-a", "net1");
    static readonly string PoolKeyText = EtcdPoolStore.PoolPrefix + Key.Name;

    EtcdFaultProxy proxy = null!;
    EtcdPoolStore store = null!;

    public async Task InitializeAsync()
    {
        await etcd.Server.DeletePrefix(EtcdPoolStore.Root);
        proxy = await EtcdFaultProxy.Start(etcd.Server.ClientUrl);
        store = new EtcdPoolStore(EtcdOptions.From(Fixtures.Settings(proxy.Endpoint)));
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        await proxy.DisposeAsync();
    }

    /// <summary>Drop the answer of the first transaction matching <paramref name="matches"/>; pass everything else.</summary>
    void DropAnswerOnce(Func<string, bool> matches)
    {
        var dropped = 0;
        proxy.Rule = (path, body) => path == "/v3/kv/txn" && matches(body) && Interlocked.Exchange(ref dropped, 1) == 0 ? Verdict.PassThenDrop : Verdict.Pass;
    }

    [Fact]
    public async Task EachKindOfWriteThatCommittedUnheardIsReadBackAsApplied()
    {
        DropAnswerOnce(b => Puts(b, PoolKeyText));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreatePool(Key, PoolState.Of(Range, [new Allocation(1, PodA)])), default));

        var read = await store.LoadPool(Key, default);
        var next = read.State.With(new Allocation(2, PodA with { IfName = "net2" }));
        DropAnswerOnce(b => Puts(b, PoolKeyText));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.ReplacePool(read, next), default));
        Assert.Equal(2, (await store.LoadPool(Key, default)).State.Allocations.Length);

        var reservation = ReservationKey.For(Range.AddressAt(1), "contract");
        DropAnswerOnce(b => Puts(b, EtcdPoolStore.ReservationPrefix + reservation.Name));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreateReservation(reservation, PodA), default));
        DropAnswerOnce(b => Deletes(b, EtcdPoolStore.ReservationPrefix + reservation.Name));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.DeleteReservation(reservation, PodA), default));
        Assert.True((await store.LoadReservation(reservation, default)).IsNone);
    }

    [Fact]
    public async Task AReplaceThatCommittedUnheardAndWasBuiltOnBeforeTheReadBackIsStillApplied()
    {
        await store.Apply(new StoreOp.CreatePool(Key, PoolState.Of(Range, [new Allocation(1, PodA)])), default);
        var read = await store.LoadPool(Key, default);
        var ours = read.State.With(new Allocation(2, PodA with { IfName = "net2" }));
        // Our write commits, its answer is lost, and another writer adds .3 on top before we read back.
        await using var direct = new EtcdPoolStore(EtcdOptions.From(Fixtures.Settings(etcd.Server.Endpoint)));
        proxy.AfterPassThenDrop = async () =>
        {
            var now = await direct.LoadPool(Key, default);
            Assert.Equal(ApplyResult.Applied, await direct.Apply(new StoreOp.ReplacePool(now,
                now.State.With(new Allocation(3, new Owner("cid-b", "default/pod-b", "net1")))), default));
        };
        DropAnswerOnce(b => Puts(b, PoolKeyText));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.ReplacePool(read, ours), default));
        Assert.Equal([1, 2, 3], (await store.LoadPool(Key, default)).State.Allocations.Select(a => (int)a.Offset));
    }

    static Plan AddPlan(PoolSnapshot pool) =>
        Allocator.Decide(new AddRequest(PodA, Scope, []), [pool], KnownReservations.None).IfFail(e => throw new InvalidOperationException(e.Message));

    PlanExecutor Executor => new(store, Log.Silent);

    [Fact]
    public async Task APlanWhosePoolWriteCommittedUnheardCompletesWithPoolAndReservationAgreeing()
    {
        var plan = AddPlan(await store.LoadPool(Key, default));
        DropAnswerOnce(b => Puts(b, PoolKeyText));
        Assert.IsType<Execution.Completed>(await Executor.Run(plan, default));
        await PoolAndReservationsAgree(1);
    }

    [Fact]
    public async Task WhenReadingBackFailsTooTheReservationBeforeTheUnknownWriteStays()
    {
        var plan = AddPlan(await store.LoadPool(Key, default));
        // The pool write commits unheard, and etcd then answers no read for a while (writes still pass).
        var dropped = 0;
        proxy.Rule = (path, body) =>
            path == "/v3/kv/txn" && Puts(body, PoolKeyText) && Interlocked.Exchange(ref dropped, 1) == 0 ? Verdict.PassThenDrop
            : path == "/v3/kv/range" && Volatile.Read(ref dropped) == 1 ? Verdict.Unavailable
            : Verdict.Pass;
        var failed = Assert.IsType<Execution.Failed>(await Executor.Run(plan, default));
        Assert.IsType<WriteOutcomeUnknownException>(failed.Cause);
        Assert.Empty(failed.Compensation);
        proxy.Rule = (_, _) => Verdict.Pass;
        await PoolAndReservationsAgree(1);
    }

    /// <summary>Every allocation has its reservation, held by its owner, and every reservation is backed.</summary>
    async Task PoolAndReservationsAgree(int allocations)
    {
        var pool = await store.LoadPool(Key, default);
        Assert.Equal(allocations, pool.State.Allocations.Length);
        var reservations = await store.ListReservations("contract-", default);
        Assert.Equal(
            pool.State.Allocations.Select(a => $"{ReservationKey.For(Range.AddressAt(a.Offset), "contract").Name} {a.Owner}").Order(StringComparer.Ordinal),
            reservations.Select(r => $"{r.Name} {r.Owner}").Order(StringComparer.Ordinal));
    }
}
