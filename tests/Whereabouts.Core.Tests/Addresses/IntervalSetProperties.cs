using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Tests.Addresses;

/// <summary>
/// IntervalSet against a bool-per-value model over a universe of 301 values, which starts at 0, at 2^63 or
/// ends exactly at <see cref="UInt128.MaxValue"/>.
/// </summary>
public sealed class IntervalSetProperties
{
    const int Size = 301;

    sealed record Built(UInt128 Base, IntervalSet Actual, bool[] Model)
    {
        public override string ToString() => $"base {Base}: {Actual}";
    }

    static Built Build((UInt128 Base, (int Lo, int Hi) Start, (bool Minus, int Lo, int Hi)[] Ops) recipe)
    {
        var (b, start, ops) = recipe;
        var model = new bool[Size];
        for (var i = start.Lo; i <= start.Hi; i++) model[i] = true;
        var actual = IntervalSet.Of(b + (UInt128)start.Lo, b + (UInt128)start.Hi);
        foreach (var (minus, lo, hi) in ops)
        {
            for (var i = 0; i < Size; i++)
                model[i] = minus ? model[i] && !(lo <= i && i <= hi) : model[i] && lo <= i && i <= hi;
            actual = minus ? actual.Minus(b + (UInt128)lo, b + (UInt128)hi) : actual.Intersect(b + (UInt128)lo, b + (UInt128)hi);
        }
        return new Built(b, actual, model);
    }

    static readonly Gen<Built> Sets = Gens.IntervalSetRecipe.Select(Build);

    /// <summary>Values to ask about: the whole universe and three on each side of it, where those exist.</summary>
    static IEnumerable<UInt128> Probes(UInt128 b)
    {
        for (var d = 3; d >= 1; d--) if (b >= (UInt128)d) yield return b - (UInt128)d;
        for (var i = 0; i < Size + 3; i++)
            if (UInt128.MaxValue - b >= (UInt128)i) yield return b + (UInt128)i;
    }

    static bool InModel(Built s, UInt128 v) => v >= s.Base && v - s.Base < Size && s.Model[(int)(v - s.Base)];

    [Fact]
    public void ContainsAgreesWithTheModel() =>
        Sets.Sample(s => Probes(s.Base).All(v => s.Actual.Contains(v) == InModel(s, v)));

    [Fact]
    public void CountIsTheNumberOfMembers() =>
        Sets.Sample(s => s.Actual.Count == (UInt128)s.Model.Count(m => m) && s.Actual.IsEmpty == !s.Model.Any(m => m));

    [Fact]
    public void FirstAtOrAfterIsTheSmallestMemberNotBelow() =>
        Sets.Sample(s =>
        {
            foreach (var v in Probes(s.Base))
            {
                UInt128? expected = null;
                for (var i = 0; i < Size; i++)
                    if (s.Model[i] && s.Base + (UInt128)i >= v) { expected = s.Base + (UInt128)i; break; }
                Assert.Equal(expected, s.Actual.FirstAtOrAfter(v));
            }
        });

    [Fact]
    public void IntervalsAreSortedDisjointAndNeverAdjacent() =>
        Sets.Sample(s =>
        {
            var ivs = s.Actual.Intervals;
            for (var i = 0; i < ivs.Length; i++)
            {
                Assert.True(ivs[i].Lo <= ivs[i].Hi, $"interval {ivs[i]} is reversed");
                if (i > 0) Assert.True(ivs[i - 1].Hi < ivs[i].Lo - 1, $"{ivs[i - 1]} and {ivs[i]} overlap or touch");
            }
        });

    [Fact]
    public void TheIntervalsAreExactlyTheRunsOfTheModel() =>
        Sets.Sample(s =>
        {
            var runs = new List<Interval>();
            for (var i = 0; i < Size; i++)
            {
                if (!s.Model[i]) continue;
                var j = i;
                while (j + 1 < Size && s.Model[j + 1]) j++;
                runs.Add(new Interval(s.Base + (UInt128)i, s.Base + (UInt128)j));
                i = j;
            }
            Assert.Equal(runs, s.Actual.Intervals);
        });

    [Fact]
    public void MinusAllIsMinusOfEachCutInTurn() =>
        Gen.Select(Sets, Gens.SmallSpan.Array[0, 8]).Sample(t =>
        {
            var (s, cuts) = t;
            UInt128 At(int i) => s.Base + (UInt128)i;
            var one = s.Actual.MinusAll(cuts.Select(c => new Interval(At(c.Lo), At(c.Hi))));
            var each = cuts.Aggregate(s.Actual, (set, c) => set.Minus(At(c.Lo), At(c.Hi)));
            return one.Equals(each);
        });

    [Fact]
    public void MinusInEitherOrderGivesEqualSets() =>
        Gen.Select(Sets, Gens.SmallSpan, Gens.SmallSpan).Sample(t =>
        {
            var (s, x, y) = t;
            UInt128 At(int i) => s.Base + (UInt128)i;
            var one = s.Actual.Minus(At(x.Lo), At(x.Hi)).Minus(At(y.Lo), At(y.Hi));
            var other = s.Actual.Minus(At(y.Lo), At(y.Hi)).Minus(At(x.Lo), At(x.Hi));
            return one.Equals(other) && one.GetHashCode() == other.GetHashCode();
        });

    [Fact]
    public void IntersectThenMinusEqualsMinusThenIntersect() =>
        Gen.Select(Sets, Gens.SmallSpan, Gens.SmallSpan).Sample(t =>
        {
            var (s, x, y) = t;
            UInt128 At(int i) => s.Base + (UInt128)i;
            return s.Actual.Intersect(At(x.Lo), At(x.Hi)).Minus(At(y.Lo), At(y.Hi))
                .Equals(s.Actual.Minus(At(y.Lo), At(y.Hi)).Intersect(At(x.Lo), At(x.Hi)));
        });

    [Fact]
    public void AReversedSpanIsEmptyAndRemovesNothing() =>
        Gen.Select(Sets, Gens.SmallSpan).Where(t => t.Item2.Lo < t.Item2.Hi).Sample(t =>
        {
            var (s, x) = t;
            UInt128 At(int i) => s.Base + (UInt128)i;
            return IntervalSet.Of(At(x.Hi), At(x.Lo)).IsEmpty
                && s.Actual.Minus(At(x.Hi), At(x.Lo)).Equals(s.Actual)
                && s.Actual.Intersect(At(x.Hi), At(x.Lo)).IsEmpty;
        });

    [Fact]
    public void TheWholeSpaceCountsAsMaxValueAndCanBeEmptied()
    {
        var all = IntervalSet.Of(UInt128.Zero, UInt128.MaxValue);
        Assert.Equal(UInt128.MaxValue, all.Count);
        Assert.Equal(UInt128.MaxValue, new Interval(UInt128.Zero, UInt128.MaxValue).Count);
        Assert.True(all.Contains(UInt128.MaxValue));
        Assert.Equal(UInt128.MaxValue, all.FirstAtOrAfter(UInt128.MaxValue));
        Assert.True(all.Minus(UInt128.Zero, UInt128.MaxValue).IsEmpty);
        var holed = all.Minus(5, 5);
        Assert.Equal(UInt128.MaxValue, holed.Count); // exactly 2^128 − 1 members, no longer saturated
        Assert.Equal(UInt128.MaxValue - 1, holed.Minus(UInt128.MaxValue, UInt128.MaxValue).Count);
        Assert.Equal((UInt128)6, holed.FirstAtOrAfter(5));
        Assert.Equal("0-4,6-" + UInt128.MaxValue, holed.ToString());
        Assert.Equal("∅", IntervalSet.Empty.ToString());
        Assert.Null(IntervalSet.Empty.FirstAtOrAfter(0));
    }
}
