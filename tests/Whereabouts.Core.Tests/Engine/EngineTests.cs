using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Engine;

/// <summary>Allocator, Releaser and Checker on hand-written examples.</summary>
public sealed class EngineTests
{
    static Cidr C(string text) => Cidr.Parse(text).ThrowIfFail();

    static Address A(string text) => Address.Parse(text).ThrowIfFail();

    static readonly Owner PodA = new("sandbox-1", "default/pod-a", "net1");
    static readonly Owner PodB = new("sandbox-2", "default/pod-b", "net1");

    static NetworkScope Scope(bool overlapping = true, string network = "", params RangeSpec[] ranges) =>
        new([.. ranges], network, overlapping);

    static NetworkScope Scope(params string[] ranges) => Scope(true, "", ranges.Select(r => RangeSpec.Of(C(r))).ToArray());

    static ImmutableArray<Lease> Leases(Plan plan) => Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases;

    static Plan Add(InMemoryStore store, Owner owner, NetworkScope scope, params string[] requested)
    {
        var plan = Allocator.Decide(new AddRequest(owner, scope, requested.Select(A).ToImmutableArray()), store.Load(scope), store.AllReservations()).ThrowIfFail();
        Assert.True(store.Execute(plan).Applied);
        return plan;
    }

    [Theory]
    [InlineData(0.0, "10.5.0.3/24")]
    [InlineData(0.3, "10.5.0.5/24")]
    [InlineData(0.99, "10.5.0.7/24")]
    public void AfterLostRacesAddPicksWithinTheWindowOfLowestFreeAddresses(double draw, string expected)
    {
        var store = new InMemoryStore();
        var scope = Scope("10.5.0.0/24");
        Add(store, PodA, scope, "10.5.0.1");
        Add(store, PodB, scope, "10.5.0.2");
        Add(store, new Owner("s3", "default/pod-c", "net1"), scope, "10.5.0.4");
        // Free, lowest first: .3 .5 .6 .7 .8 ...; two lost races give a window of 4: .3 .5 .6 .7.
        var known = store.AllReservations().AfterLostRace(2, draw);
        var plan = Allocator.Decide(new AddRequest(new Owner("s4", "default/pod-d", "net1"), scope, []), store.Load(scope), known).ThrowIfFail();
        Assert.Equal(expected, Leases(plan).Single().ToString());
    }

    [Fact]
    public void ARepeatedAddRecreatesAReservationThatAHalfFinishedAddLost()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.6.0.0/24");
        Add(store, PodA, scope);
        // The pool holds the address but no reservation is known for it (an undo removed it).
        var plan = Allocator.Decide(new AddRequest(PodA, scope, []), store.Load(scope), KnownReservations.None).ThrowIfFail();
        var create = Assert.IsType<StoreOp.CreateReservation>(Assert.Single(plan.Ops));
        Assert.Equal(("10.6.0.1", PodA), (create.Key.Name, create.Owner));
        // Once it is known to be ours, a repeated ADD writes nothing.
        var known = KnownReservations.None.With(create.Key, PodA);
        Assert.True(Allocator.Decide(new AddRequest(PodA, scope, []), store.Load(scope), known).ThrowIfFail().IsEmpty);
    }

    [Fact]
    public void WithoutLostRacesAddTakesTheLowestFreeAddressWhateverTheDraw()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.5.0.0/24");
        var known = store.AllReservations() with { Draw = 0.9 };
        var plan = Allocator.Decide(new AddRequest(PodA, scope, []), store.Load(scope), known).ThrowIfFail();
        Assert.Equal("10.5.0.1/24", Leases(plan).Single().ToString());
    }

    [Fact]
    public void HostBitsInTheRangeAreIgnoredSoTheFirstPodGetsTheFirstUsableAddress()
    {
        var store = new InMemoryStore();
        var scope = Scope("192.168.2.227/28");
        Assert.Equal("192.168.2.225/28", Leases(Add(store, PodA, scope)).Single().ToString());
        Assert.Equal("192.168.2.226/28", Leases(Add(store, PodB, scope)).Single().ToString());
        Assert.Equal(["192.168.2.224-28"], store.Pools.Keys);
    }

    [Fact]
    public void TheFirstAddCreatesThePoolAndTheNextReplacesItGuardedByItsVersion()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/24");
        var first = Add(store, PodA, scope);
        Assert.Equal(["CreateReservation", "CreatePool"], first.Ops.Map(o => o.GetType().Name).ToArray());
        var version = store.Pools["10.0.0.0-24"].Version.IfNone(() => throw new InvalidOperationException());
        var second = Add(store, PodB, scope);
        var replace = Assert.IsType<StoreOp.ReplacePool>(second.Ops.Last());
        Assert.Equal(version, replace.IfVersion);
    }

    [Fact]
    public void AReCreatedSandboxTakesTheAllocationOverSoALateDelOfTheOldOneFreesNothing()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/24");
        var first = Leases(Add(store, PodA, scope));
        var newSandbox = PodA with { ContainerId = "sandbox-9" };
        var again = Add(store, newSandbox, scope);
        Assert.Equal(first.ToArray(), Leases(again).ToArray());
        Assert.DoesNotContain(again.Ops, o => o is StoreOp.CreateReservation);
        Assert.Equal(newSandbox, store.Pools["10.0.0.0-24"].State.Allocations.Single().Owner);

        var lateDel = Releaser.Decide(new DelRequest("sandbox-1", "net1", scope), store.Load(scope));
        Assert.True(lateDel.IsEmpty);
        Assert.Empty(Assert.IsType<Outcome.Released>(lateDel.Outcome).Addresses);
    }

    [Fact]
    public void RepeatingAnAddWritesNothingAndReturnsTheSameAddress()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/24", "fd00::/64");
        var first = Leases(Add(store, PodA, scope));
        var again = Allocator.Decide(new AddRequest(PodA, scope, ImmutableArray<Address>.Empty), store.Load(scope), store.AllReservations()).ThrowIfFail();
        Assert.True(again.IsEmpty);
        Assert.Equal(first.ToArray(), Leases(again).ToArray());
        Assert.Equal(["10.0.0.1/24", "fd00::1/64"], first.Map(l => l.ToString()).ToArray());
    }

    [Fact]
    public void ARequestedAddressIsGrantedWhenFree()
    {
        var store = new InMemoryStore();
        Assert.Equal("10.0.0.77/24", Leases(Add(store, PodA, Scope("10.0.0.0/24"), "10.0.0.77")).Single().ToString());
    }

    [Fact]
    public void ARequestedAddressThatIsHeldIsRefusedNamingTheHolder()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/24");
        Add(store, PodA, scope);
        var result = Allocator.Decide(new AddRequest(PodB, scope, [A("10.0.0.1")]), store.Load(scope), store.AllReservations());
        result.Match(
            Succ: _ => Assert.Fail("10.0.0.1 is taken"),
            Fail: e =>
            {
                Assert.Equal(Errors.AddressTakenCode, e.Code);
                Assert.Contains("10.0.0.1", e.Message);
                Assert.Contains("default/pod-a", e.Message);
            });
    }

    [Fact]
    public void ARequestedAddressHeldThroughAnOverlappingRangeIsRefused()
    {
        var store = new InMemoryStore();
        Add(store, PodA, Scope("10.0.0.0/24"));
        var other = Scope("10.0.0.0/25");
        var result = Allocator.Decide(new AddRequest(PodB, other, [A("10.0.0.1")]), store.Load(other), store.AllReservations());
        Assert.Equal(Errors.AddressTakenCode, result.Match(Succ: _ => 0, Fail: e => e.Code));
        Assert.Equal("10.0.0.2/25", Leases(Add(store, PodB, other)).Single().ToString());
    }

    [Theory]
    [InlineData("10.0.0.0", "the network address")]
    [InlineData("10.0.0.5", "an excluded address")]
    [InlineData("192.168.0.1", "outside every range")]
    public void ARequestedAddressThatIsNotAllocatableIsRefused(string requested, string because)
    {
        var scope = Scope(true, "", RangeSpec.Of(C("10.0.0.0/24")) with { Exclude = [C("10.0.0.4/30")] });
        var result = Allocator.Decide(new AddRequest(PodA, scope, [A(requested)]), ImmutableArray<PoolSnapshot>.Empty, KnownReservations.None);
        Assert.True(result.IsFail, $"{requested} is {because}");
        result.IfFail(e =>
        {
            Assert.Equal(Errors.RequestedOutsideRangesCode, e.Code);
            Assert.Contains(requested, e.Message);
        });
    }

    [Fact]
    public void AnExhaustedRangeSaysWhichRangeAndWhatIsAllocatable()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/30");
        Add(store, PodA, scope);
        Add(store, PodB, scope);
        var result = Allocator.Decide(new AddRequest(PodA with { PodRef = "default/pod-c" }, scope, ImmutableArray<Address>.Empty), store.Load(scope), store.AllReservations());
        result.Match(
            Succ: _ => Assert.Fail("a /30 holds two pods"),
            Fail: e =>
            {
                Assert.Equal(Errors.RangeExhaustedCode, e.Code);
                Assert.Equal("no free address in range 10.0.0.0/30 (allocatable: 10.0.0.1-10.0.0.2); widen the range, shrink 'exclude', or release addresses", e.Message);
            });
    }

    [Fact]
    public void TheUndoOfAHalfAppliedAddReleasesItsAllocationsAndReservationsNewestFirst()
    {
        var scope = Scope("10.0.0.0/24", "fd00::/64");
        var plan = Allocator.Decide(new AddRequest(PodA, scope, ImmutableArray<Address>.Empty), ImmutableArray<PoolSnapshot>.Empty, KnownReservations.None).ThrowIfFail();
        Assert.Equal(4, plan.Steps.Length);
        Assert.Empty(plan.UndoAfter(0));
        var undo = plan.UndoAfter(4).ToArray();
        Assert.Equal(["Unallocate", "Unallocate", "DeleteReservation", "DeleteReservation"], undo.Select(o => o is Undo.Write w ? w.Op.GetType().Name : o.GetType().Name));
        Assert.Equal(["fd00--1", "10.0.0.1"], undo.OfType<Undo.Write>().Select(w => w.Op).OfType<StoreOp.DeleteReservation>().Select(d => d.Key.Name));

        var store = new InMemoryStore();
        Assert.False(store.Execute(plan, crashBefore: 3).Applied);
        Assert.Equal("", store.Describe());
    }

    [Fact]
    public void WithoutOverlappingRangesNoReservationIsTouched()
    {
        var store = new InMemoryStore();
        var scope = Scope(false, "", RangeSpec.Of(C("10.0.0.0/24")));
        var add = Add(store, PodA, scope);
        Assert.DoesNotContain(add.Ops, o => o is StoreOp.CreateReservation);
        var del = Releaser.Decide(new DelRequest(PodA.ContainerId, PodA.IfName, scope), store.Load(scope));
        Assert.Equal(["ReplacePool"], del.Ops.Map(o => o.GetType().Name).ToArray());
    }

    [Fact]
    public void DelReleasesInEveryRangeAndDeletesReservationsOnlyIfStillOwned()
    {
        var store = new InMemoryStore();
        var scope = Scope(true, "blue", RangeSpec.Of(C("10.0.0.0/24")), RangeSpec.Of(C("fd00::/64")));
        Add(store, PodA, scope);
        var del = Releaser.Decide(new DelRequest(PodA.ContainerId, "net1", scope), store.Load(scope));
        Assert.Equal(
            ["ReplacePool blue-10.0.0.0-24", "ReplacePool blue-fd00---64", "DeleteReservation blue-10.0.0.1", "DeleteReservation blue-fd00--1"],
            del.Ops.Map(o => o switch
            {
                StoreOp.ReplacePool r => $"ReplacePool {r.Pool.Name}",
                StoreOp.DeleteReservation d => $"DeleteReservation {d.Key.Name}",
                _ => o.ToString(),
            }).ToArray());
        Assert.All(del.Ops.OfType<StoreOp.DeleteReservation>(), d => Assert.Equal(PodA, d.IfOwnedBy));
        Assert.Equal(["10.0.0.1", "fd00::1"], Assert.IsType<Outcome.Released>(del.Outcome).Addresses.Map(a => a.ToString()).ToArray());
        Assert.True(store.Execute(del).Applied);
        Assert.Equal("", store.Describe());
    }

    [Fact]
    public void DelOfSomethingNeverAllocatedIsAnEmptyPlanAndCreatesNoPool()
    {
        var scope = Scope("10.0.0.0/24");
        var plan = Releaser.Decide(new DelRequest("nobody", "net1", scope), scope.PoolKeys.Map(PoolSnapshot.Missing));
        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void AnUpstreamEntryWithoutAnInterfaceNameIsReleasedByItsContainer()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/24");
        var key = scope.PoolKeys[0];
        store.Seed(key, PoolState.Of(key.Range, [new Allocation(9, new Owner("legacy", "default/old", ""))]));
        var plan = Releaser.Decide(new DelRequest("legacy", "net1", scope), store.Load(scope));
        Assert.Equal(["10.0.0.9"], Assert.IsType<Outcome.Released>(plan.Outcome).Addresses.Map(a => a.ToString()).ToArray());
    }

    [Fact]
    public void GcReleasesExactlyTheAttachmentsNotListedAsValid()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/24");
        Add(store, PodA, scope);
        Add(store, PodB, scope);
        Add(store, PodB with { IfName = "net2", PodRef = "default/pod-b2" }, scope);
        var gc = Releaser.Collect(new GcRequest([new Attachment("sandbox-2", "net1")], scope, new GcOwnership.AllLocal()), store.Load(scope));
        Assert.Equal(["10.0.0.1", "10.0.0.3"], Assert.IsType<Outcome.Released>(gc.Outcome).Addresses.Map(a => a.ToString()).ToArray());
        Assert.True(store.Execute(gc).Applied);
        Assert.Equal("10.0.0.0-24: 2=sandbox-2/default/pod-b/net1\nreservation 10.0.0.2=default/pod-b/net1", store.Describe());
    }

    [Fact]
    public void CheckPassesForTheHeldAddressesAndNamesWhatIsMissingOrDifferent()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/24", "fd00::/64");
        var leases = Leases(Add(store, PodA, scope)).Map(l => l.Address);
        var staticAddress = A("192.168.9.9");
        Assert.True(Checker.Decide(new CheckRequest(PodA.ContainerId, "net1", scope, leases.Add(staticAddress)), store.Load(scope)).IsSucc);
        Assert.True(Checker.Decide(new CheckRequest(PodA.ContainerId, "net1", scope, ImmutableArray<Address>.Empty), store.Load(scope)).IsSucc);

        var mismatch = Checker.Decide(new CheckRequest(PodA.ContainerId, "net1", scope, [A("10.0.0.7"), A("fd00::1")]), store.Load(scope));
        mismatch.Match(Succ: _ => Assert.Fail("10.0.0.7 is not held"), Fail: e =>
        {
            Assert.Equal(Errors.AllocationMismatchCode, e.Code);
            Assert.Contains("10.0.0.7", e.Message);
            Assert.Contains("10.0.0.1", e.Message);
        });

        var missing = Checker.Decide(new CheckRequest("sandbox-x", "net1", scope, ImmutableArray<Address>.Empty), store.Load(scope));
        missing.Match(Succ: _ => Assert.Fail("sandbox-x holds nothing"), Fail: e =>
        {
            Assert.Equal(Errors.AllocationMissingCode, e.Code);
            Assert.Contains("10.0.0.0/24", e.Message);
        });
    }

    [Fact]
    public void ADualStackAddThatFailsOnTheSecondRangeWritesNothing()
    {
        var store = new InMemoryStore();
        var scope = Scope("10.0.0.0/24", "fd00::/127");
        Add(store, PodA, scope);
        Add(store, PodB, scope);
        var before = store.Describe();
        var result = Allocator.Decide(new AddRequest(PodA with { PodRef = "default/pod-c" }, scope, ImmutableArray<Address>.Empty), store.Load(scope), store.AllReservations());
        Assert.Equal(Errors.RangeExhaustedCode, result.Match(Succ: _ => 0, Fail: e => e.Code));
        Assert.Equal(before, store.Describe());
    }

    static RangeSpec Sliced(string range, string slice, string node) => RangeSpec.Of(C(range)).InSlice(new NodeSlice(C(slice), node));

    [Fact]
    public void InNodeSliceModeAddAllocatesInTheNodesSlicePoolAndAnswersWithTheRangesPrefix()
    {
        var store = new InMemoryStore();
        var worker1 = Scope(true, "blue", Sliced("10.20.0.0/16", "10.20.1.0/24", "worker-1"));
        var worker2 = Scope(true, "blue", Sliced("10.20.0.0/16", "10.20.2.0/24", "worker-2"));

        Assert.Equal("10.20.1.1/16", Leases(Add(store, PodA, worker1)).Single().ToString());
        Assert.Equal("10.20.2.1/16", Leases(Add(store, PodB, worker2)).Single().ToString());
        Assert.Equal("10.20.1.2/16", Leases(Add(store, new Owner("s3", "default/pod-c", "net1"), worker1)).Single().ToString());

        // Upstream's names and offsets: the pool is the node's, offsets count from the slice's network.
        Assert.Equal(["blue-worker-1-10.20.1.0-24", "blue-worker-2-10.20.2.0-24"], store.Pools.Keys.Order(StringComparer.Ordinal).ToArray());
        var pool = store.Pools["blue-worker-1-10.20.1.0-24"];
        Assert.Equal(C("10.20.1.0/24"), pool.State.Range);
        Assert.Equal([(UInt128)1, (UInt128)2], pool.State.Allocations.Select(a => a.Offset).Order().ToArray());
        // Reservations are cluster-wide per address, unchanged by slicing.
        Assert.Contains("blue-10.20.1.1", store.Reservations.Keys);
        Assert.Contains("blue-10.20.2.1", store.Reservations.Keys);
    }

    [Fact]
    public void InNodeSliceModeCheckAndDelFindTheAllocationInTheSlicePool()
    {
        var store = new InMemoryStore();
        var scope = Scope(true, "", Sliced("10.21.0.0/16", "10.21.7.0/26", "worker-7"));
        Add(store, PodA, scope);
        Assert.True(Checker.Decide(new CheckRequest(PodA.ContainerId, PodA.IfName, scope, [A("10.21.7.1")]), store.Load(scope)).IsSucc);
        var del = Releaser.Decide(new DelRequest(PodA.ContainerId, PodA.IfName, scope), store.Load(scope));
        Assert.Equal([A("10.21.7.1")], Assert.IsType<Outcome.Released>(del.Outcome).Addresses.ToArray());
        Assert.True(store.Execute(del).Applied);
        Assert.Empty(store.Pools["worker-7-10.21.7.0-26"].State.Allocations);
    }

    [Fact]
    public void AFullSliceIsReportedAsTheNodesSliceNotTheWholeRange()
    {
        var store = new InMemoryStore();
        var scope = Scope(true, "", Sliced("10.22.0.0/16", "10.22.3.0/30", "worker-3"));
        Add(store, PodA, scope);
        Add(store, PodB, scope);
        var full = Allocator.Decide(new AddRequest(new Owner("s3", "default/pod-c", "net1"), scope, []), store.Load(scope), store.AllReservations());
        Assert.True(full.IsFail);
        full.IfFail(e =>
        {
            Assert.Equal(Errors.RangeExhaustedCode, e.Code);
            Assert.Contains("worker-3's slice 10.22.3.0/30", e.Message);
        });
    }
}
