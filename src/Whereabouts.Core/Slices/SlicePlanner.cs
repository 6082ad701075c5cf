using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Slices;

/// <summary>The next status.allocations of one NodeSlicePool, and whether it differs from what is stored.</summary>
public sealed record SlicePlan(string PoolName, SliceSpec Spec, ImmutableArray<SliceEntry> Allocations, ImmutableArray<SliceNote> Notes, bool Changed);

/// <summary>
/// Decides one NodeSlicePool's allocations over a snapshot (the pool, the live nodes, which gone nodes' IPPools
/// are empty); the shell writes the plan once, compare-and-swap. The rules:
/// <list type="bullet">
/// <item>a live node keeps its slice;</item>
/// <item>a gone node keeps its slice until its IPPool ("[network_name-]node-slice") is known empty, then the slice is free (nodeName "");</item>
/// <item>each live node without a slice takes the first free slice in address order, or none (reported) when none is left;</item>
/// <item>the pool's spec never changes: a NAD asking for another range or slice size is reported.</item>
/// </list>
/// Free slices are found by walking the slice numbers past the taken ones, so the cost is taken + new nodes,
/// whatever the number of slices.
/// </summary>
public static class SlicePlanner
{
    /// <summary>The IPPools whose emptiness the plan needs: those of the slices of nodes that are gone.</summary>
    public static ImmutableArray<PoolKey> PoolsToAsk(NodeSlicePoolState pool, string networkName, IReadOnlySet<string> liveNodes)
    {
        var space = new SliceSpace(pool.Spec);
        var keys = ImmutableArray.CreateBuilder<PoolKey>();
        foreach (var e in pool.Allocations)
            if (!e.IsFree && !liveNodes.Contains(e.NodeName) && Slice(space, e).Case is Cidr slice)
                keys.Add(NodePool(pool.Spec, slice, e.NodeName, networkName));
        return keys.ToImmutable();
    }

    /// <summary>The IPPool a node allocates in within its slice, named as the plugin names it.</summary>
    public static PoolKey NodePool(SliceSpec spec, Cidr slice, string node, string networkName) =>
        PoolKey.Of(RangeSpec.Of(spec.Range).InSlice(new NodeSlice(slice, node)), networkName);

    /// <param name="wishes">The NADs naming this pool, oldest first: with no pool yet, the first one's spec is made.</param>
    /// <param name="emptyPools">Names of the IPPools known to be empty (or absent); any other keeps its slice.</param>
    public static SlicePlan Plan(ImmutableArray<SliceWish> wishes, Option<NodeSlicePoolState> existing,
        IReadOnlySet<string> liveNodes, IReadOnlySet<string> emptyPools)
    {
        if (wishes.IsEmpty) throw new ArgumentException("a plan needs at least one NAD naming the pool", nameof(wishes));
        var first = wishes[0];
        var spec = existing.Match(p => p.Spec, () => first.Spec);
        var notes = ImmutableArray.CreateBuilder<SliceNote>();
        foreach (var w in wishes)
        {
            if (w.Spec != spec)
                notes.Add(new SliceNote.SpecNotHonoured(w.Source, w.Spec, spec, existing.IsSome
                    ? $"NodeSlicePool {first.PoolName} already slices {spec}"
                    : $"NAD {first.Source} names the same pool with {spec}"));
            else if (w.NetworkName != first.NetworkName)
                notes.Add(new SliceNote.SpecNotHonoured(w.Source, w.Spec, spec,
                    $"NAD {first.Source} names the same pool with network_name \"{first.NetworkName}\", this one with \"{w.NetworkName}\": the nodes' IPPools would differ"));
        }

        var space = new SliceSpace(spec);
        var stored = existing.Match(p => p.Allocations, () => ImmutableArray<SliceEntry>.Empty);
        var entries = stored.ToList();
        var taken = new System.Collections.Generic.HashSet<UInt128>();
        var listedFree = new Dictionary<UInt128, int>(); // slice index → position of its free entry
        var withSlice = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        var seen = new System.Collections.Generic.HashSet<UInt128>();
        var valid = new System.Collections.Generic.HashSet<int>(); // positions of usable entries

        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!e.IsFree) withSlice.Add(e.NodeName);
            if (Slice(space, e).Case is not Cidr slice)
            {
                notes.Add(new SliceNote.BadEntry(e, $"\"{e.SliceRange}\" is not a {spec.SliceSizeText} slice of {spec.Range}"));
                continue;
            }
            var index = space.IndexOf(slice).IfNone(UInt128.Zero);
            if (!seen.Add(index))
            {
                notes.Add(new SliceNote.BadEntry(e, $"slice {slice} is listed more than once"));
                taken.Add(index);
                continue;
            }
            valid.Add(i);
            if (e.IsFree) { listedFree[index] = i; continue; }
            if (liveNodes.Contains(e.NodeName)) { taken.Add(index); continue; }
            var pool = NodePool(spec, slice, e.NodeName, first.NetworkName);
            if (emptyPools.Contains(pool.Name))
            {
                entries[i] = new SliceEntry("", e.SliceRange);
                listedFree[index] = i;
                notes.Add(new SliceNote.Freed(e.NodeName, slice));
            }
            else
            {
                taken.Add(index);
                notes.Add(new SliceNote.HeldForGoneNode(e.NodeName, slice, pool.Name));
            }
        }

        var cursor = UInt128.Zero;
        var count = space.Count;
        foreach (var node in liveNodes.Where(n => n.Length > 0 && !withSlice.Contains(n)).Order(StringComparer.Ordinal))
        {
            while (cursor < count && taken.Contains(cursor)) cursor++;
            if (cursor >= count)
            {
                notes.Add(new SliceNote.Exhausted(node, spec));
                continue;
            }
            var slice = space.At(cursor);
            var entry = new SliceEntry(node, slice.ToString());
            if (listedFree.TryGetValue(cursor, out var at)) entries[at] = entry;
            else { valid.Add(entries.Count); entries.Add(entry); }
            taken.Add(cursor);
            notes.Add(new SliceNote.Assigned(node, slice));
            cursor++;
        }

        // Usable entries in address order (as upstream lists them), then the unusable ones as they were.
        var usable = new List<(UInt128 Index, SliceEntry Entry)>();
        var unusable = new List<SliceEntry>();
        for (var i = 0; i < entries.Count; i++)
            if (valid.Contains(i) && Slice(space, entries[i]).Case is Cidr c) usable.Add((space.IndexOf(c).IfNone(UInt128.Zero), entries[i]));
            else unusable.Add(entries[i]);
        var ordered = usable.OrderBy(u => u.Index).Select(u => u.Entry).Concat(unusable).ToImmutableArray();
        var changed = existing.IsNone || !Enumerable.SequenceEqual(ordered, stored);
        return new SlicePlan(first.PoolName, spec, ordered, notes.ToImmutable(), changed);
    }

    /// <summary>The entry's slice when it is one of the space's, written as upstream writes it (the network address).</summary>
    static Option<Cidr> Slice(SliceSpace space, SliceEntry e) =>
        CidrParser.Parse(e.SliceRange).Match(
            c => c.Address == c.Network && space.IndexOf(c).IsSome ? Option<Cidr>.Some(c) : Option<Cidr>.None,
            _ => Option<Cidr>.None);
}
