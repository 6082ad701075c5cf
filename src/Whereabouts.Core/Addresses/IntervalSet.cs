using System.Collections.Immutable;

namespace Whereabouts.Core.Addresses;

/// <summary>
/// An immutable set of 128-bit values held as sorted, disjoint, non-adjacent inclusive intervals.
/// The allocatable part of a range is one of these: usable span ∩ [start, end] − excludes.
/// </summary>
public sealed class IntervalSet : IEquatable<IntervalSet>
{
    public static readonly IntervalSet Empty = new([]);

    public ImmutableArray<Interval> Intervals { get; }

    IntervalSet(ImmutableArray<Interval> intervals) => Intervals = intervals;

    public static IntervalSet Of(UInt128 lo, UInt128 hi) => lo <= hi ? new([new Interval(lo, hi)]) : Empty;

    public bool IsEmpty => Intervals.IsEmpty;

    public bool Contains(UInt128 v)
    {
        int lo = 0, hi = Intervals.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var iv = Intervals[mid];
            if (v < iv.Lo) hi = mid - 1;
            else if (v > iv.Hi) lo = mid + 1;
            else return true;
        }
        return false;
    }

    /// <summary>Total number of values, saturating at <see cref="UInt128.MaxValue"/>.</summary>
    public UInt128 Count => Intervals.Aggregate(UInt128.Zero, (n, iv) => UInt128.MaxValue - n < iv.Count ? UInt128.MaxValue : n + iv.Count);

    /// <summary>This set without the values of [lo, hi].</summary>
    public IntervalSet Minus(UInt128 lo, UInt128 hi)
    {
        if (lo > hi) return this;
        var kept = ImmutableArray.CreateBuilder<Interval>(Intervals.Length + 1);
        foreach (var iv in Intervals)
        {
            if (iv.Hi < lo || iv.Lo > hi) { kept.Add(iv); continue; }
            if (iv.Lo < lo) kept.Add(new Interval(iv.Lo, lo - 1));
            if (iv.Hi > hi) kept.Add(new Interval(hi + 1, iv.Hi));
        }
        return new IntervalSet(kept.ToImmutable());
    }

    /// <summary>
    /// This set without every given interval, in one sweep: the cuts are sorted and merged first, so many
    /// excludes cost O(n log n) rather than one pass over the set per exclude.
    /// </summary>
    public IntervalSet MinusAll(IEnumerable<Interval> cuts)
    {
        var sorted = cuts.Where(c => c.Lo <= c.Hi).OrderBy(c => c.Lo).ToArray();
        if (sorted.Length == 0 || IsEmpty) return this;
        var kept = ImmutableArray.CreateBuilder<Interval>(Intervals.Length + sorted.Length);
        var next = 0; // the first cut that may still reach the current interval
        foreach (var iv in Intervals)
        {
            var lo = iv.Lo;
            var whole = true; // lo has not moved past iv.Hi
            while (next < sorted.Length && sorted[next].Hi < lo) next++;
            for (var k = next; k < sorted.Length && sorted[k].Lo <= iv.Hi; k++)
            {
                var cut = sorted[k];
                if (cut.Hi < lo) continue;
                if (cut.Lo > lo) kept.Add(new Interval(lo, cut.Lo - 1));
                if (cut.Hi >= iv.Hi) { whole = false; break; }
                lo = cut.Hi + 1;
            }
            if (whole) kept.Add(new Interval(lo, iv.Hi));
        }
        return new IntervalSet(kept.ToImmutable());
    }

    /// <summary>Every value less <paramref name="by"/>, which no value may be below: a re-basing of offsets.</summary>
    public IntervalSet ShiftedDown(UInt128 by) =>
        Intervals.IsEmpty || Intervals[0].Lo < by
            ? throw new ArgumentOutOfRangeException(nameof(by), "the set has values below the shift")
            : new IntervalSet(Intervals.Select(iv => new Interval(iv.Lo - by, iv.Hi - by)).ToImmutableArray());

    /// <summary>This set restricted to [lo, hi].</summary>
    public IntervalSet Intersect(UInt128 lo, UInt128 hi)
    {
        if (lo > hi) return Empty;
        var kept = ImmutableArray.CreateBuilder<Interval>();
        foreach (var iv in Intervals)
        {
            var l = UInt128.Max(iv.Lo, lo);
            var h = UInt128.Min(iv.Hi, hi);
            if (l <= h) kept.Add(new Interval(l, h));
        }
        return new IntervalSet(kept.ToImmutable());
    }

    /// <summary>Smallest member ≥ <paramref name="v"/>, if any.</summary>
    public UInt128? FirstAtOrAfter(UInt128 v)
    {
        foreach (var iv in Intervals)
        {
            if (iv.Hi < v) continue;
            return UInt128.Max(iv.Lo, v);
        }
        return null;
    }

    public bool Equals(IntervalSet? other) => other is not null && Intervals.SequenceEqual(other.Intervals);
    public override bool Equals(object? obj) => Equals(obj as IntervalSet);
    public override int GetHashCode() => Intervals.Aggregate(0, (h, iv) => HashCode.Combine(h, iv));
    public override string ToString() => IsEmpty ? "∅" : string.Join(",", Intervals);
}
