using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Slices;

namespace Whereabouts.Core.Tests.Slices;

/// <summary>
/// The planner against a model that lists every slice: a pool of up to 8 nodes' entries over 2 to 65,536
/// slices (IPv4 and IPv6), some nodes live, some gone with empty or non-empty IPPools.
/// </summary>
public sealed class SlicePlannerProperties
{
    const int Nodes = 8;

    public sealed record Case(SliceSpec Spec, ImmutableArray<SliceEntry> Stored, ImmutableHashSet<string> Live, ImmutableHashSet<string> EmptyPools)
    {
        public NodeSlicePoolState Pool => new(Spec, Stored, "1");
        public SliceWish Wish => new(new NadRef("ns", "nad", "u"), "blue", "blue", Spec.Range, Spec.SliceSize);
        public SlicePlan Plan() => SlicePlanner.Plan([Wish], Pool, Live, EmptyPools);
        public string PoolOf(SliceEntry e) => SlicePlanner.NodePool(Spec, Cidr.Parse(e.SliceRange).ThrowIfFail(), e.NodeName, "blue").Name;
        public bool Holds(SliceEntry e) => !e.IsFree && (Live.Contains(e.NodeName) || !EmptyPools.Contains(PoolOf(e)));
    }

    static readonly Gen<SliceSpec> Specs = Gen.OneOf(
        Gen.Int[1, 4].Select(k => new SliceSpec(Cidr.Parse("10.0.16.0/20").ThrowIfFail(), 20 + k)),
        Gen.OneOf(Gen.Int[1, 4], Gen.Const(16)).Select(k => new SliceSpec(Cidr.Parse("fd00:10::/64").ThrowIfFail(), 64 + k)));

    /// <summary>Per listed slot: -2 not listed, -1 listed free, k node k (a node listed twice is free the second time).</summary>
    static readonly Gen<Case> Cases =
        from spec in Specs
        from slots in Gen.Int[-2, Nodes - 1].Array[16]
        from live in Gen.Bool.Array[Nodes]
        from empty in Gen.Bool.Array[Nodes]
        select Build(spec, slots, live, empty);

    static Case Build(SliceSpec spec, int[] slots, bool[] live, bool[] empty)
    {
        var space = new SliceSpace(spec);
        var used = new System.Collections.Generic.HashSet<int>();
        var stored = ImmutableArray.CreateBuilder<SliceEntry>();
        for (var i = 0; i < slots.Length && (UInt128)i < space.Count; i++)
        {
            if (slots[i] == -2) continue;
            var node = slots[i] >= 0 && used.Add(slots[i]) ? $"n{slots[i]}" : "";
            stored.Add(new SliceEntry(node, space.At((UInt128)i).ToString()));
        }
        var c = new Case(spec, stored.ToImmutable(), [.. Enumerable.Range(0, Nodes).Where(i => live[i]).Select(i => $"n{i}")], []);
        return c with { EmptyPools = [.. c.Stored.Where(e => !e.IsFree && empty[int.Parse(e.NodeName[1..])]).Select(c.PoolOf)] };
    }

    [Fact]
    public void NoSliceIsListedTwice() =>
        Cases.Sample(c => c.Plan().Allocations.Select(e => e.SliceRange).Distinct().Count() == c.Plan().Allocations.Length);

    [Fact]
    public void ANodeHasAtMostOneSlice() =>
        Cases.Sample(c => c.Plan().Allocations.Where(e => !e.IsFree).GroupBy(e => e.NodeName).All(g => g.Count() == 1));

    [Fact]
    public void LiveNodesAndGoneNodesWithAddressesKeepTheirSlices() =>
        Cases.Sample(c => c.Stored.Where(c.Holds).All(e => c.Plan().Allocations.Contains(e)));

    [Fact]
    public void AGoneNodeWithAnEmptyPoolHasNoSliceLeft() =>
        Cases.Sample(c => c.Stored.Where(e => !e.IsFree && !c.Holds(e)).All(e => c.Plan().Allocations.All(a => a.NodeName != e.NodeName)));

    /// <summary>The model: new nodes, in name order, take the lowest slices no holder keeps, as long as there are any.</summary>
    [Fact]
    public void EveryLiveNodeThatFitsGetsTheLowestFreeSliceAndTheRestAreReported() =>
        Cases.Sample(c =>
        {
            var space = new SliceSpace(c.Spec);
            var held = c.Stored.Where(c.Holds).Select(e => e.SliceRange).ToHashSet();
            var newcomers = c.Live.Where(n => c.Stored.All(e => e.NodeName != n)).Order(StringComparer.Ordinal).ToArray();
            var free = new List<string>();
            for (UInt128 i = 0; i < space.Count && free.Count < newcomers.Length; i++)
                if (!held.Contains(space.At(i).ToString())) free.Add(space.At(i).ToString());
            var plan = c.Plan();
            var expected = newcomers.Zip(free, (n, s) => new SliceEntry(n, s)).ToArray();
            var exhausted = newcomers.Skip(free.Count).ToHashSet();
            return expected.All(plan.Allocations.Contains)
                && plan.Notes.OfType<SliceNote.Exhausted>().Select(n => n.Node).ToHashSet().SetEquals(exhausted);
        });

    [Fact]
    public void AnUnchangedPlanIsReportedAsUnchanged() =>
        Cases.Sample(c =>
        {
            var plan = c.Plan();
            var again = SlicePlanner.Plan([c.Wish], new NodeSlicePoolState(plan.Spec, plan.Allocations, "2"), c.Live, c.EmptyPools);
            return !again.Changed && again.Allocations.SequenceEqual(plan.Allocations);
        });

    [Fact]
    public void OnlyTheSlicesOfGoneNodesArePolled() =>
        Cases.Sample(c => SlicePlanner.PoolsToAsk(c.Pool, "blue", c.Live).Select(k => k.Name).ToHashSet()
            .SetEquals(c.Stored.Where(e => !e.IsFree && !c.Live.Contains(e.NodeName)).Select(c.PoolOf)));
}
