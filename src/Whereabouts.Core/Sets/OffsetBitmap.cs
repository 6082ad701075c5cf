using System.Numerics;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Sets;

/// <summary>
/// An immutable, sparse set of 128-bit offsets: pages of 4,096 bits keyed by <c>offset &gt;&gt; 12</c>, in two
/// parallel sorted arrays. Only pages holding at least one offset exist, so an IPv6 /64 with a million
/// sequential allocations takes ~245 pages (~130 KB). Updates copy the page table and the one page they touch
/// (copy-on-write); everything else is shared. Written by hand because no BCL or LanguageExt collection gives
/// word-at-a-time "first clear bit" over a 128-bit key space.
/// </summary>
public sealed class OffsetBitmap
{
    const int PageShift = 12;
    const int WordsPerPage = (1 << PageShift) / 64;
    const int PageMask = (1 << PageShift) - 1;

    public static readonly OffsetBitmap Empty = new([], [], 0);

    readonly UInt128[] keys;
    readonly ulong[][] pages;

    public int Count { get; }

    OffsetBitmap(UInt128[] keys, ulong[][] pages, int count) => (this.keys, this.pages, Count) = (keys, pages, count);

    /// <summary>Builds the set in one pass over the sorted offsets: no per-offset persistent structure.</summary>
    public static OffsetBitmap Of(ReadOnlySpan<UInt128> offsets)
    {
        // Pools hand their offsets over already sorted: check (cheap) before copying and sorting (not).
        ReadOnlySpan<UInt128> sorted = offsets;
        if (!IsAscending(offsets))
        {
            var copy = offsets.ToArray();
            Array.Sort(copy);
            sorted = copy;
        }
        var keys = new List<UInt128>();
        var pages = new List<ulong[]>();
        var count = 0;
        foreach (var o in sorted)
        {
            var key = o >> PageShift;
            if (keys.Count == 0 || keys[^1] != key) { keys.Add(key); pages.Add(new ulong[WordsPerPage]); }
            ref var word = ref pages[^1][(int)(o & PageMask) >> 6];
            var bit = 1UL << (int)(o & 63);
            if ((word & bit) == 0) { word |= bit; count++; }
        }
        return new OffsetBitmap([.. keys], [.. pages], count);
    }

    static bool IsAscending(ReadOnlySpan<UInt128> offsets)
    {
        for (var i = 1; i < offsets.Length; i++)
            if (offsets[i] < offsets[i - 1]) return false;
        return true;
    }

    public bool Contains(UInt128 offset)
    {
        var i = Array.BinarySearch(keys, offset >> PageShift);
        return i >= 0 && (pages[i][(int)(offset & PageMask) >> 6] & (1UL << (int)(offset & 63))) != 0;
    }

    public OffsetBitmap Add(UInt128 offset) => Contains(offset) ? this : With(offset, set: true);

    public OffsetBitmap Remove(UInt128 offset) => Contains(offset) ? With(offset, set: false) : this;

    OffsetBitmap With(UInt128 offset, bool set)
    {
        var key = offset >> PageShift;
        var i = Array.BinarySearch(keys, key);
        var wordIndex = (int)(offset & PageMask) >> 6;
        var bit = 1UL << (int)(offset & 63);
        if (i < 0)
        {
            var page = new ulong[WordsPerPage];
            page[wordIndex] = bit;
            return new OffsetBitmap(Insert(keys, ~i, key), Insert(pages, ~i, page), Count + 1);
        }
        var copy = (ulong[])pages[i].Clone();
        copy[wordIndex] = set ? copy[wordIndex] | bit : copy[wordIndex] & ~bit;
        var count = set ? Count + 1 : Count - 1;
        if (!set && copy.All(w => w == 0)) return new OffsetBitmap(RemoveAt(keys, i), RemoveAt(pages, i), count);
        var newPages = (ulong[][])pages.Clone();
        newPages[i] = copy;
        return new OffsetBitmap(keys, newPages, count);
    }

    /// <summary>
    /// The smallest offset ≥ <paramref name="from"/> that is in <paramref name="within"/> and not in this set.
    /// Cost: one binary search per interval visited plus one word per 64 taken offsets skipped.
    /// </summary>
    public UInt128? FirstFreeAtOrAfter(UInt128 from, IntervalSet within)
    {
        foreach (var iv in within.Intervals)
        {
            if (iv.Hi < from) continue;
            var free = FirstFreeIn(UInt128.Max(iv.Lo, from), iv.Hi);
            if (free is not null) return free;
        }
        return null;
    }

    UInt128? FirstFreeIn(UInt128 candidate, UInt128 hi)
    {
        var i = LowerBound(candidate >> PageShift);
        while (candidate <= hi)
        {
            var key = candidate >> PageShift;
            if (i >= keys.Length || keys[i] != key) return candidate;
            var free = FirstClearInPage(pages[i], (int)(candidate & PageMask));
            if (free >= 0) { var found = (key << PageShift) + (uint)free; return found <= hi ? found : null; }
            if (key == UInt128.MaxValue >> PageShift) return null;
            candidate = (key + 1) << PageShift;
            i++;
        }
        return null;
    }

    static int FirstClearInPage(ulong[] page, int fromBit)
    {
        for (var w = fromBit >> 6; w < WordsPerPage; w++)
        {
            var taken = page[w] | (w == fromBit >> 6 ? (1UL << (fromBit & 63)) - 1 : 0);
            if (taken != ulong.MaxValue) return (w << 6) + BitOperations.TrailingZeroCount(~taken);
        }
        return -1;
    }

    int LowerBound(UInt128 key)
    {
        var i = Array.BinarySearch(keys, key);
        return i >= 0 ? i : ~i;
    }

    /// <summary>All offsets in ascending order.</summary>
    public IEnumerable<UInt128> Offsets()
    {
        for (var i = 0; i < keys.Length; i++)
            for (var w = 0; w < WordsPerPage; w++)
            {
                var word = pages[i][w];
                while (word != 0)
                {
                    var b = BitOperations.TrailingZeroCount(word);
                    yield return (keys[i] << PageShift) + (uint)((w << 6) + b);
                    word &= word - 1;
                }
            }
    }

    static T[] Insert<T>(T[] a, int at, T item) => [.. a.AsSpan(0, at), item, .. a.AsSpan(at)];
    static T[] RemoveAt<T>(T[] a, int at) => [.. a.AsSpan(0, at), .. a.AsSpan(at + 1)];
}
