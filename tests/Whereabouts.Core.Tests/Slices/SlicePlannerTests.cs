using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Slices;

namespace Whereabouts.Core.Tests.Slices;

/// <summary>The plan of one NodeSlicePool, case by case.</summary>
public sealed class SlicePlannerTests
{
    static readonly NadRef NadA = new("default", "a", "uid-a");
    static readonly NadRef NadB = new("team", "b", "uid-b");

    static SliceWish Wish(string range = "10.0.0.0/22", int size = 24, NadRef? nad = null, string network = "blue") =>
        new(nad ?? NadA, network.Length > 0 ? network : "net", network, Cidr.Parse(range).ThrowIfFail(), size);

    static NodeSlicePoolState Pool(string range, int size, params (string Node, string Slice)[] entries) =>
        new(new SliceSpec(Cidr.Parse(range).ThrowIfFail(), size), [.. entries.Select(e => new SliceEntry(e.Node, e.Slice))], "7");

    static readonly IReadOnlySet<string> None = System.Collections.Immutable.ImmutableHashSet<string>.Empty;

    static SlicePlan Plan(SliceWish wish, NodeSlicePoolState? pool, string[] nodes, params string[] emptyPools) =>
        SlicePlanner.Plan([wish], pool is null ? Option<NodeSlicePoolState>.None : pool, nodes.ToHashSet(), emptyPools.ToHashSet());

    static (string, string)[] Entries(SlicePlan p) => p.Allocations.Select(e => (e.NodeName, e.SliceRange)).ToArray();

    [Fact]
    public void WithNoPoolEachNodeTakesTheNextSliceInAddressOrder()
    {
        var plan = Plan(Wish(), null, ["w2", "w1"]);
        Assert.Equal([("w1", "10.0.0.0/24"), ("w2", "10.0.1.0/24")], Entries(plan));
        Assert.Equal(new SliceSpec(Cidr.Parse("10.0.0.0/22").ThrowIfFail(), 24), plan.Spec);
        Assert.True(plan.Changed);
    }

    [Fact]
    public void ANewNodeTakesTheFirstFreeSliceAndLiveNodesKeepTheirs()
    {
        var pool = Pool("10.0.0.0/22", 24, ("w1", "10.0.2.0/24"), ("", "10.0.0.0/24"));
        var plan = Plan(Wish(), pool, ["w1", "w9"]);
        Assert.Equal([("w9", "10.0.0.0/24"), ("w1", "10.0.2.0/24")], Entries(plan));
        Assert.Contains(new SliceNote.Assigned("w9", Cidr.Parse("10.0.0.0/24").ThrowIfFail()), plan.Notes);
    }

    [Fact]
    public void AGoneNodesSliceIsHeldWhileItsPoolHoldsAddressesAndFreedOnceItIsEmpty()
    {
        var pool = Pool("10.0.0.0/22", 24, ("w1", "10.0.0.0/24"), ("w2", "10.0.1.0/24"));
        Assert.Equal(["blue-w2-10.0.1.0-24"], SlicePlanner.PoolsToAsk(pool, "blue", new System.Collections.Generic.HashSet<string> { "w1" }).Select(k => k.Name));

        var held = Plan(Wish(), pool, ["w1"]);
        Assert.False(held.Changed);
        Assert.Contains(held.Notes, n => n is SliceNote.HeldForGoneNode { Node: "w2", PoolName: "blue-w2-10.0.1.0-24" });

        var freed = Plan(Wish(), pool, ["w1"], "blue-w2-10.0.1.0-24");
        Assert.Equal([("w1", "10.0.0.0/24"), ("", "10.0.1.0/24")], Entries(freed));
        Assert.True(freed.Changed);
    }

    [Fact]
    public void WithoutNetworkNameTheNodesPoolIsNodeThenSlice()
    {
        var pool = Pool("fd00:10::/64", 80, ("w2", "fd00:10::/80"));
        Assert.Equal(["w2-fd00-10---80"], SlicePlanner.PoolsToAsk(pool, "", None).Select(k => k.Name));
    }

    [Fact]
    public void Ipv6SlicesAreCountedWithoutListingThem()
    {
        var plan = Plan(Wish("fd00:10::/64", 80), null, ["a", "b", "c"]);
        Assert.Equal([("a", "fd00:10::/80"), ("b", "fd00:10:0:0:1::/80"), ("c", "fd00:10:0:0:2::/80")], Entries(plan));
        Assert.Equal((UInt128)65536, new SliceSpace(plan.Spec).Count);
    }

    [Fact]
    public void AVeryWideIpv6SpaceIsNotListed()
    {
        var plan = Plan(Wish("fd00::/8", 128), null, ["a"]);
        Assert.Equal([("a", "fd00::/128")], Entries(plan));
        Assert.Equal(UInt128.MaxValue, new SliceSpace(new SliceSpec(Cidr.Parse("::/0").ThrowIfFail(), 128)).Count);
    }

    [Fact]
    public void WhenNoSliceIsLeftTheNodeGetsNoneAndThatIsReported()
    {
        var plan = Plan(Wish("10.0.0.0/23", 24), null, ["a", "b", "c"]);
        Assert.Equal([("a", "10.0.0.0/24"), ("b", "10.0.1.0/24")], Entries(plan));
        Assert.Contains(plan.Notes, n => n is SliceNote.Exhausted { Node: "c" });
    }

    [Fact]
    public void ANadAskingForAnotherRangeIsReportedAndThePoolKeptAsItIs()
    {
        var pool = Pool("10.0.0.0/22", 24, ("w1", "10.0.0.0/24"));
        var plan = Plan(Wish("10.8.0.0/16", 26), pool, ["w1"]);
        Assert.Equal(pool.Spec, plan.Spec);
        Assert.False(plan.Changed);
        var note = Assert.Single(plan.Notes.OfType<SliceNote.SpecNotHonoured>());
        Assert.Equal((NadA, "10.8.0.0/16 in /26 slices"), (note.Nad, note.Asked.ToString()));
    }

    [Fact]
    public void NadsThatShareAPoolButDisagreeAreReportedAndTheFirstOneWins()
    {
        var plan = SlicePlanner.Plan([Wish(), Wish("10.0.0.0/22", 25, NadB)], Absent<NodeSlicePoolState>(), new System.Collections.Generic.HashSet<string> { "w1" }, None);
        Assert.Equal(24, plan.Spec.SliceSize);
        Assert.Equal(NadB, Assert.Single(plan.Notes.OfType<SliceNote.SpecNotHonoured>()).Nad);
    }

    [Fact]
    public void NadsThatShareAPoolUnderDifferentNetworkNamesAreReported()
    {
        var plan = SlicePlanner.Plan([Wish(network: ""), Wish(nad: NadB, network: "net")], Absent<NodeSlicePoolState>(), None, None);
        Assert.Contains("network_name", Assert.Single(plan.Notes.OfType<SliceNote.SpecNotHonoured>()).Why);
    }

    [Fact]
    public void EntriesThatAreNotSlicesOfThePoolAreKeptReportedAndNeverHandedOut()
    {
        var pool = Pool("10.0.0.0/22", 24, ("x", "garbage"), ("y", "10.9.0.0/24"), ("z", "10.0.0.0/25"), ("", "10.0.1.0/24"), ("", "10.0.1.0/24"));
        var plan = Plan(Wish(), pool, ["x", "y", "z", "new"]);
        Assert.Equal(4, plan.Notes.OfType<SliceNote.BadEntry>().Count());
        // x, y, z have (bad) entries, so only "new" is placed: in the first slice, which no good entry holds.
        Assert.Contains(("new", "10.0.0.0/24"), Entries(plan));
        Assert.Contains(("x", "garbage"), Entries(plan));
    }

    [Fact]
    public void PlanningAgainOverThePlanChangesNothing()
    {
        var first = Plan(Wish(), Pool("10.0.0.0/22", 24, ("gone", "10.0.3.0/24")), ["a", "b"]);
        var again = Plan(Wish(), new NodeSlicePoolState(first.Spec, first.Allocations, "8"), ["a", "b"]);
        Assert.False(again.Changed);
        Assert.Equal(first.Allocations.AsEnumerable(), again.Allocations.AsEnumerable());
    }

    static Option<T> Absent<T>() => Option<T>.None;
}
