using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// A plan step whose outcome is unknown (its answer lost, reading it back failed) is settled, not left: its
/// own undo, then the undo of the steps before it. The retry after it may pick another address; the
/// reservation of a pool write that did not land must not stay behind as an orphan of a live pod.
/// </summary>
public sealed class UnknownOutcomeSettlementTests
{
    static readonly Cidr Range = Cidr.Parse("10.9.1.0/24").ThrowIfFail();
    static readonly NetworkScope Scope = new([RangeSpec.Of(Range)], "", OverlappingRanges: true);
    static readonly Owner Pod = new("c1", "default/pod-1", "net1");
    // Longer than VirtualClock.Alarm, so the deadline is an alarm, not a wait the clock skips over.
    static readonly RetryPolicy Policy = RetryPolicy.Default with { Deadline = TimeSpan.FromHours(1) };

    /// <summary>ADD of pod-1 asking for .5 on its first decision and .6 on every later one, as a retry after a lost race may.</summary>
    static async Task<Fin<Outcome>> AddMovingAddress(IPoolStore store)
    {
        var decisions = 0;
        return await new ConflictRetry(store, Policy, new VirtualClock(), () => 0.5, Log.Silent).Run(Scope.PoolKeys,
            (pools, known) => Allocator.Decide(new AddRequest(Pod, Scope, [Range.AddressAt(decisions++ == 0 ? 5u : 6u)]), pools, known),
            default);
    }

    // Script: the pool load, the reservation create, then the pool write's fault.
    static Fault[] PoolWrite(Fault fault) => [Fault.None, Fault.None, fault];

    [Theory]
    [InlineData(Fault.LostUnheard)]
    [InlineData(Fault.CommittedUnheard)]
    public async Task AfterAPoolWriteOfUnknownOutcomeOnlyTheAddressFinallyHeldIsReserved(Fault fault)
    {
        var store = new InMemoryPoolStore();
        var add = await AddMovingAddress(new FaultyStore(store, PoolWrite(fault)));
        var address = Assert.IsType<Outcome.Allocated>(add.ThrowIfFail()).Leases.Single().Address;
        Assert.Equal(Range.AddressAt(6), address);
        var pool = await store.LoadPool(PoolKey.Of(Scope.Ranges[0], ""), default);
        Assert.Equal([$"6 {Pod}"], pool.State.Allocations.Select(a => $"{a.Offset} {a.Owner}"));
        var reservations = await store.ListReservations("", default);
        Assert.Equal([$"{ReservationKey.For(address, "").Name} {Pod}"], reservations.Select(r => $"{r.Name} {r.Owner}"));
    }

    [Fact]
    public async Task TheExecutorReportsTheUnknownStepsOwnUndoFirstThenTheStepsBeforeIt()
    {
        var store = new InMemoryPoolStore();
        var pools = ImmutableArray.Create(await store.LoadPool(PoolKey.Of(Scope.Ranges[0], ""), default));
        var plan = Allocator.Decide(new AddRequest(Pod, Scope, [Range.AddressAt(5)]), pools, KnownReservations.None).ThrowIfFail();
        var failed = Assert.IsType<Execution.Failed>(await new PlanExecutor(new FaultyStore(store, [Fault.None, Fault.LostUnheard]), Log.Silent).Run(plan, default));
        Assert.IsType<WriteOutcomeUnknownException>(failed.Cause);
        Assert.Empty(failed.Compensation);
        Assert.Equal(plan.Steps[1].Undo.AddRange(plan.Steps[0].Undo).Select(PlanExecutor.Describe), failed.Settlement.Select(PlanExecutor.Describe));
        Assert.Equal(2, failed.Settlement.Length);
    }
}
