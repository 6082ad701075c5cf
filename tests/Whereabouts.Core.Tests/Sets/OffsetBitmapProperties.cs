using Whereabouts.Core.Addresses;
using Whereabouts.Core.Sets;

namespace Whereabouts.Core.Tests.Sets;

/// <summary>
/// OffsetBitmap against a <see cref="SortedSet{T}"/> model. Offsets cluster in a few pages around page
/// boundaries, 2^63, 2^64 and the top of the 128-bit space, and start from long runs, so pages fill up and
/// "first free" must cross from a full page into the next.
/// </summary>
public sealed class OffsetBitmapProperties
{
    /// <summary>The bitmap under test; SampleModelBased mutates its state, so the immutable value lives in a box.</summary>
    sealed class Actual(UInt128 @base, OffsetBitmap bitmap)
    {
        public UInt128 Base { get; } = @base;
        public OffsetBitmap Bitmap { get; set; } = bitmap;
        public string LastAnswer { get; set; } = "";
        public override string ToString() => $"{Bitmap.Count} offsets from {Bitmap.Offsets().FirstOrDefault()}; last answer {LastAnswer}";
    }

    sealed class Model(UInt128 @base, IEnumerable<UInt128> offsets)
    {
        public UInt128 Base { get; } = @base;
        public SortedSet<UInt128> Set { get; } = [.. offsets];
        public string LastAnswer { get; set; } = "";
        public override string ToString() => $"{Set.Count} offsets from {Set.FirstOrDefault()}; last answer {LastAnswer}";

        public UInt128? FirstFree(UInt128 from, IntervalSet within)
        {
            foreach (var iv in within.Intervals)
            {
                if (iv.Hi < from) continue;
                var c = UInt128.Max(iv.Lo, from);
                while (Set.Contains(c))
                {
                    if (c == iv.Hi) { c = iv.Hi; goto next; }
                    c++;
                }
                return c;
            next:;
            }
            return null;
        }
    }

    static readonly Gen<(UInt128 Base, UInt128[] Offsets)> Initial = Gens.BitmapStart;
    static readonly Gen<int> Relative = Gens.BitmapRelativeOffset;
    static readonly Gen<(int From, int A, int B, (int, int)[] Holes)> Query = Gens.BitmapQuery;

    static IntervalSet Within(UInt128 b, (int From, int A, int B, (int, int)[] Holes) q) =>
        q.Holes.Aggregate(IntervalSet.Of(b + (UInt128)Math.Min(q.A, q.B), b + (UInt128)Math.Max(q.A, q.B)),
            (s, h) => s.Minus(b + (UInt128)h.Item1, b + (UInt128)(h.Item1 + h.Item2)));

    [Fact]
    public void TheBitmapBehavesLikeASortedSet() =>
        Initial.Select(t => (new Actual(t.Base, OffsetBitmap.Of(t.Offsets)), new Model(t.Base, t.Offsets)))
        .SampleModelBased(
            Relative.Operation<Actual, Model>(d => $"Add(+{d})",
                (a, d) => a.Bitmap = a.Bitmap.Add(a.Base + (UInt128)d),
                (m, d) => m.Set.Add(m.Base + (UInt128)d)),
            Relative.Operation<Actual, Model>(d => $"Remove(+{d})",
                (a, d) => a.Bitmap = a.Bitmap.Remove(a.Base + (UInt128)d),
                (m, d) => m.Set.Remove(m.Base + (UInt128)d)),
            Relative.Operation<Actual, Model>(d => $"Contains(+{d})",
                (a, d) => a.LastAnswer = a.Bitmap.Contains(a.Base + (UInt128)d).ToString(),
                (m, d) => m.LastAnswer = m.Set.Contains(m.Base + (UInt128)d).ToString()),
            Query.Operation<Actual, Model>(q => $"FirstFreeAtOrAfter(+{q.From}, {q.A}..{q.B} minus {q.Holes.Length} holes)",
                (a, q) => a.LastAnswer = a.Bitmap.FirstFreeAtOrAfter(a.Base + (UInt128)q.From, Within(a.Base, q))?.ToString() ?? "none",
                (m, q) => m.LastAnswer = m.FirstFree(m.Base + (UInt128)q.From, Within(m.Base, q))?.ToString() ?? "none"),
            equal: (a, m) => a.Bitmap.Count == m.Set.Count && a.LastAnswer == m.LastAnswer && a.Bitmap.Offsets().SequenceEqual(m.Set),
            printActual: a => a.ToString(),
            printModel: m => m.ToString());

    [Fact]
    public void FirstFreeAgreesWithTheModelOnTheInitialBitmap() =>
        Gen.Select(Initial, Query.Array[1, 8]).Sample(t =>
        {
            var ((b, offsets), queries) = t;
            var bitmap = OffsetBitmap.Of(offsets);
            var model = new Model(b, offsets);
            foreach (var q in queries)
            {
                var within = Within(b, q);
                Assert.Equal(model.FirstFree(b + (UInt128)q.From, within), bitmap.FirstFreeAtOrAfter(b + (UInt128)q.From, within));
            }
        });

    [Fact]
    public void AddAndRemoveLeaveTheOriginalBitmapUnchanged() =>
        Gen.Select(Initial, Gen.Select(Gen.Bool, Relative).Array[1, 20]).Sample(t =>
        {
            var ((b, offsets), ops) = t;
            var original = OffsetBitmap.Of(offsets);
            var before = original.Offsets().ToArray();
            var current = original;
            foreach (var (add, d) in ops)
            {
                var o = b + (UInt128)d;
                var wasIn = current.Contains(o);
                var next = add ? current.Add(o) : current.Remove(o);
                Assert.Equal(wasIn, current.Contains(o));
                Assert.Equal(add, next.Contains(o));
                current = next;
            }
            Assert.Equal(before.Length, original.Count);
            Assert.Equal(before, original.Offsets().ToArray());
        });

    [Fact]
    public void OfIgnoresOrderAndDuplicates() =>
        Initial.Sample(t =>
        {
            var (_, offsets) = t;
            var reversed = offsets.Reverse().Concat(offsets.Take(5)).ToArray();
            var one = OffsetBitmap.Of(offsets);
            var other = OffsetBitmap.Of(reversed);
            var added = offsets.Aggregate(OffsetBitmap.Empty, (bm, o) => bm.Add(o));
            var distinct = offsets.Distinct().Order().ToArray();
            Assert.Equal(distinct, one.Offsets().ToArray());
            Assert.Equal(distinct, other.Offsets().ToArray());
            Assert.Equal(distinct, added.Offsets().ToArray());
            Assert.Equal(distinct.Length, one.Count);
        });

    [Fact]
    public void TheTopOfTheSpaceIsUsableAndAFullTopPageHasNoFreeOffset()
    {
        var top = OffsetBitmap.Empty.Add(UInt128.MaxValue);
        Assert.True(top.Contains(UInt128.MaxValue));
        Assert.Equal([UInt128.MaxValue], top.Offsets());
        var lastPage = UInt128.MaxValue - 4095;
        var full = OffsetBitmap.Of(Enumerable.Range(0, 4096).Select(i => lastPage + (UInt128)i).ToArray());
        Assert.Equal(4096, full.Count);
        Assert.Null(full.FirstFreeAtOrAfter(lastPage, IntervalSet.Of(lastPage, UInt128.MaxValue)));
        Assert.Equal(lastPage - 1, full.FirstFreeAtOrAfter(0, IntervalSet.Of(lastPage - 1, UInt128.MaxValue)));
        Assert.True(full.Remove(UInt128.MaxValue).FirstFreeAtOrAfter(lastPage, IntervalSet.Of(lastPage, UInt128.MaxValue)) == UInt128.MaxValue);
    }

    [Fact]
    public void FirstFreeWalksAcrossFullPagesIntoTheNextOne()
    {
        var taken = OffsetBitmap.Of(Enumerable.Range(1, 3 * 4096).Select(i => (UInt128)i).ToArray());
        Assert.Equal((UInt128)(3 * 4096 + 1), taken.FirstFreeAtOrAfter(1, IntervalSet.Of(1, 100_000)));
        Assert.Equal((UInt128)0, taken.FirstFreeAtOrAfter(0, IntervalSet.Of(0, 100_000)));
        Assert.Null(taken.FirstFreeAtOrAfter(1, IntervalSet.Of(1, 3 * 4096)));
        Assert.Equal((UInt128)(3 * 4096 + 11), taken.FirstFreeAtOrAfter(1, IntervalSet.Of(1, 100_000).Minus(3 * 4096 + 1, 3 * 4096 + 10)));
    }
}
