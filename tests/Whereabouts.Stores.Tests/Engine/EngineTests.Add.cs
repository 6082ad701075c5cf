using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.Memory;
using Xunit;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>ADD: which address it picks, what it writes, how a repeated or half-finished ADD ends.</summary>
public sealed partial class EngineTests
{
    [Theory]
    [InlineData(0.0, "10.5.0.3/24")]
    [InlineData(0.3, "10.5.0.5/24")]
    [InlineData(0.99, "10.5.0.7/24")]
    public async Task AfterLostRacesAddPicksWithinTheWindowOfLowestFreeAddresses(double draw, string expected)
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.5.0.0/24");
        await Add(store, PodA, scope, "10.5.0.1");
        await Add(store, PodB, scope, "10.5.0.2");
        await Add(store, new Owner("s3", "default/pod-c", "net1"), scope, "10.5.0.4");
        // Free, lowest first: .3 .5 .6 .7 .8 ...; two lost races give a window of 4: .3 .5 .6 .7.
        var known = (await store.AllReservations()).AfterLostRace(2, draw);
        var plan = Allocator.Decide(new AddRequest(new Owner("s4", "default/pod-d", "net1"), scope, []), await store.Load(scope), known).ThrowIfFail();
        Assert.Equal(expected, Leases(plan).Single().ToString());
    }

    [Fact]
    public async Task ARepeatedAddRecreatesAReservationThatAHalfFinishedAddLost()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.6.0.0/24");
        await Add(store, PodA, scope);
        // The pool holds the address but no reservation is known for it (an undo removed it).
        var plan = Allocator.Decide(new AddRequest(PodA, scope, []), await store.Load(scope), KnownReservations.None).ThrowIfFail();
        var create = Assert.IsType<StoreOp.CreateReservation>(Assert.Single(plan.Ops));
        Assert.Equal(("10.6.0.1", PodA), (create.Key.Name, create.Owner));
        // Once it is known to be ours, a repeated ADD writes nothing.
        var known = KnownReservations.None.With(create.Key, PodA);
        Assert.True(Allocator.Decide(new AddRequest(PodA, scope, []), await store.Load(scope), known).ThrowIfFail().IsEmpty);
    }

    [Fact]
    public async Task WithoutLostRacesAddTakesTheLowestFreeAddressWhateverTheDraw()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.5.0.0/24");
        var known = await store.AllReservations() with { Draw = 0.9 };
        var plan = Allocator.Decide(new AddRequest(PodA, scope, []), await store.Load(scope), known).ThrowIfFail();
        Assert.Equal("10.5.0.1/24", Leases(plan).Single().ToString());
    }

    [Fact]
    public async Task HostBitsInTheRangeAreIgnoredSoTheFirstPodGetsTheFirstUsableAddress()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("192.168.2.227/28");
        Assert.Equal("192.168.2.225/28", Leases(await Add(store, PodA, scope)).Single().ToString());
        Assert.Equal("192.168.2.226/28", Leases(await Add(store, PodB, scope)).Single().ToString());
        Assert.Equal(["192.168.2.224-28"], (await store.Pools()).Select(p => p.Key.Name));
    }

    [Fact]
    public async Task TheFirstAddCreatesThePoolAndTheNextReplacesItGuardedByItsVersion()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/24");
        var first = await Add(store, PodA, scope);
        Assert.Equal(["CreateReservation", "CreatePool"], first.Ops.Map(o => o.GetType().Name).ToArray());
        var version = (await store.Pool("10.0.0.0-24")).Version.IfNone(() => throw new InvalidOperationException());
        var second = await Add(store, PodB, scope);
        var replace = Assert.IsType<StoreOp.ReplacePool>(second.Ops.Last());
        Assert.Equal(version, replace.IfVersion);
    }

    [Fact]
    public async Task AReCreatedSandboxTakesTheAllocationOverSoALateDelOfTheOldOneFreesNothing()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/24");
        var first = Leases(await Add(store, PodA, scope));
        var newSandbox = PodA with { ContainerId = "sandbox-9" };
        var again = await Add(store, newSandbox, scope);
        Assert.Equal(first.ToArray(), Leases(again).ToArray());
        Assert.DoesNotContain(again.Ops, o => o is StoreOp.CreateReservation);
        Assert.Equal(newSandbox, (await store.Pool("10.0.0.0-24")).State.Allocations.Single().Owner);

        var lateDel = Releaser.Decide(new DelRequest("sandbox-1", "net1", scope), await store.Load(scope));
        Assert.True(lateDel.IsEmpty);
        Assert.Empty(Assert.IsType<Outcome.Released>(lateDel.Outcome).Addresses);
    }

    [Fact]
    public async Task RepeatingAnAddWritesNothingAndReturnsTheSameAddress()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/24", "fd00::/64");
        var first = Leases(await Add(store, PodA, scope));
        var again = Allocator.Decide(new AddRequest(PodA, scope, ImmutableArray<Address>.Empty), await store.Load(scope), await store.AllReservations()).ThrowIfFail();
        Assert.True(again.IsEmpty);
        Assert.Equal(first.ToArray(), Leases(again).ToArray());
        Assert.Equal(["10.0.0.1/24", "fd00::1/64"], first.Map(l => l.ToString()).ToArray());
    }

    [Fact]
    public async Task AnExhaustedRangeSaysWhichRangeAndWhatIsAllocatable()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/30");
        await Add(store, PodA, scope);
        await Add(store, PodB, scope);
        var result = Allocator.Decide(new AddRequest(PodA with { PodRef = "default/pod-c" }, scope, ImmutableArray<Address>.Empty), await store.Load(scope), await store.AllReservations());
        result.Match(
            Succ: _ => Assert.Fail("a /30 holds two pods"),
            Fail: e =>
            {
                Assert.Equal(Errors.RangeExhaustedCode, e.Code);
                Assert.Equal("no free address in range 10.0.0.0/30 (allocatable: 10.0.0.1-10.0.0.2); widen the range, shrink 'exclude', or release addresses", e.Message);
            });
    }

    [Fact]
    public async Task TheUndoOfAHalfAppliedAddReleasesItsAllocationsAndReservationsNewestFirst()
    {
        var scope = Scope("10.0.0.0/24", "fd00::/64");
        var plan = Allocator.Decide(new AddRequest(PodA, scope, ImmutableArray<Address>.Empty), ImmutableArray<PoolSnapshot>.Empty, KnownReservations.None).ThrowIfFail();
        Assert.Equal(4, plan.Steps.Length);
        Assert.Empty(plan.UndoAfter(0));
        var undo = plan.UndoAfter(4).ToArray();
        Assert.Equal(["Unallocate", "Unallocate", "DeleteReservation", "DeleteReservation"], undo.Select(o => o is Undo.Write w ? w.Op.GetType().Name : o.GetType().Name));
        Assert.Equal(["fd00--1", "10.0.0.1"], undo.OfType<Undo.Write>().Select(w => w.Op).OfType<StoreOp.DeleteReservation>().Select(d => d.Key.Name));

        // The shell dies before the fourth step: the loop takes back the three that ran.
        var store = new InMemoryPoolStore();
        var run = await RealShell.Decide(new CrashingStore(store, crashBefore: 3), scope.PoolKeys, (_, _) => plan);
        Assert.False(run.Result.IsSucc);
        Assert.Equal("", await store.Describe());
    }

    [Fact]
    public async Task ADualStackAddThatFailsOnTheSecondRangeWritesNothing()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/24", "fd00::/127");
        await Add(store, PodA, scope);
        await Add(store, PodB, scope);
        var before = await store.Describe();
        var request = new AddRequest(PodA with { PodRef = "default/pod-c" }, scope, ImmutableArray<Address>.Empty);
        var result = (await RealShell.Add(store, request, await store.AllReservations())).Result;
        Assert.Equal(Errors.RangeExhaustedCode, result.Match(Succ: _ => 0, Fail: e => e.Code));
        Assert.Equal(before, await store.Describe());
    }
}
