using System.Collections.Immutable;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Sets;

namespace Whereabouts.Core.Pools;

/// <summary>
/// What an IPPool holds: its network and its allocations, sorted by offset. The bitmap of taken offsets is
/// derived once, on first use, so decoding a large pool builds no persistent map per allocation.
/// </summary>
public sealed class PoolState
{
    readonly Lazy<OffsetBitmap> used;

    public Cidr Range { get; }
    public ImmutableArray<Allocation> Allocations { get; }

    PoolState(Cidr range, ImmutableArray<Allocation> sorted, OffsetBitmap? used)
    {
        Range = range;
        Allocations = sorted;
        this.used = used is null ? new Lazy<OffsetBitmap>(() => BitmapOf(sorted)) : new Lazy<OffsetBitmap>(used);
    }

    public static PoolState Empty(Cidr range) => new(range.Normalised, [], OffsetBitmap.Empty);

    /// <summary>A pool from stored allocations in any order; a later duplicate offset replaces an earlier one.</summary>
    public static PoolState Of(Cidr range, IEnumerable<Allocation> allocations)
    {
        // OrderBy is stable, so among equal offsets the last one stored wins. Stores usually hand them over
        // sorted already, which a linear check finds without sorting.
        var given = allocations.ToArray();
        var sorted = IsAscending(given) ? given : given.OrderBy(a => a.Offset).ToArray();
        var unique = sorted.Where((a, i) => i == sorted.Length - 1 || sorted[i + 1].Offset != a.Offset);
        return new PoolState(range.Normalised, [.. unique], null);
    }

    public OffsetBitmap Used => used.Value;

    static bool IsAscending(Allocation[] items)
    {
        for (var i = 1; i < items.Length; i++)
            if (items[i].Offset < items[i - 1].Offset) return false;
        return true;
    }

    public Allocation? At(UInt128 offset)
    {
        var i = IndexOf(offset);
        return i >= 0 ? Allocations[i] : null;
    }

    public Allocation? HeldBy(Owner owner) => Allocations.FirstOrDefault(a => Ownership.SameAttachment(a.Owner, owner));

    /// <summary>This pool with <paramref name="allocation"/> added, or replacing the one at its offset.</summary>
    public PoolState With(Allocation allocation)
    {
        var i = IndexOf(allocation.Offset);
        return i >= 0
            ? new PoolState(Range, Allocations.SetItem(i, allocation), Used)
            : new PoolState(Range, Allocations.Insert(~i, allocation), Used.Add(allocation.Offset));
    }

    public PoolState Without(UInt128 offset)
    {
        var i = IndexOf(offset);
        return i < 0 ? this : new PoolState(Range, Allocations.RemoveAt(i), Used.Remove(offset));
    }

    int IndexOf(UInt128 offset)
    {
        int lo = 0, hi = Allocations.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Allocations[mid].Offset.CompareTo(offset);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }

    static OffsetBitmap BitmapOf(ImmutableArray<Allocation> sorted)
    {
        var offsets = new UInt128[sorted.Length];
        for (var i = 0; i < offsets.Length; i++) offsets[i] = sorted[i].Offset;
        return OffsetBitmap.Of(offsets);
    }
}
