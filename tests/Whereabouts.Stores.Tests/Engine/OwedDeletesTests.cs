using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// A DEL whose pool write committed with its answer lost is retried from pools that no longer hold the
/// address: the reservation deletes the first attempt owed are carried into the retry, so none is left.
/// </summary>
public sealed class OwedDeletesTests
{
    static readonly Cidr Range = Cidr.Parse("10.9.2.0/24").ThrowIfFail();
    static readonly NetworkScope Scope = new([RangeSpec.Of(Range)], "", OverlappingRanges: true);
    static readonly Owner Pod = new("c1", "default/pod-1", "net1");
    static readonly RetryPolicy Policy = RetryPolicy.Default with { Deadline = TimeSpan.FromHours(1) };

    static ConflictRetry Loop(IPoolStore store) => new(store, Policy, new VirtualClock(), () => 0.5, Log.Silent);

    [Theory]
    [InlineData(Fault.CommittedUnheard)]
    [InlineData(Fault.LostUnheard)]
    [InlineData(Fault.Unavailable)]
    public async Task ADelWhosePoolWriteAnswerWasLostLeavesNoReservation(Fault fault)
    {
        var store = new InMemoryPoolStore();
        var add = await Loop(store).Run(Scope.PoolKeys, (pools, known) => Allocator.Decide(new AddRequest(Pod, Scope, []), pools, known), default);
        Assert.True(add.IsSucc);
        Assert.Single(await store.ListReservations("", default));

        // Script: the pool load, then the DEL's pool write suffers the fault; every later call passes.
        var del = await Loop(new FaultyStore(store, [Fault.None, fault])).Run(Scope.PoolKeys,
            (pools, _) => Releaser.Decide(new DelRequest(Pod.ContainerId, Pod.IfName, Scope), pools), default);

        Assert.True(del.IsSucc);
        var pool = await store.LoadPool(PoolKey.Of(Scope.Ranges[0], ""), default);
        Assert.Empty(pool.State.Allocations);
        Assert.Empty(await store.ListReservations("", default));
    }

    [Fact]
    public void OnlyAReleaseOwesItsDeletesAndAPlanTakesEachOwedDeleteOnceAfterItsOwnSteps()
    {
        var key = ReservationKey.For(Range.AddressAt(5), "");
        var delete = new Step(new StoreOp.DeleteReservation(key, Pod), []);
        var release = new Plan([delete], new Outcome.Released([Range.AddressAt(5)]));
        var nothing = new Plan([], new Outcome.Released([]));
        Assert.Equal([delete.Do], release.OwedDeletes.Select(s => s.Do).ToArray());
        Assert.Equal([delete.Do], nothing.Then(release.OwedDeletes).Ops.ToArray());
        Assert.Equal([delete.Do], release.Then(release.OwedDeletes).Ops.ToArray());
        Assert.Empty(new Plan([delete], new Outcome.Allocated([])).OwedDeletes);
    }
}
