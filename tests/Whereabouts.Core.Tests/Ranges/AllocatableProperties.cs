using CsCheck;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Ranges;

/// <summary>
/// Allocatable.Of against a model that enumerates every address of a small IPv4 range (/20 to /31):
/// usable (network and broadcast dropped, except on /31) ∩ [range_start, range_end] − excludes − gateway.
/// A range_start on the network address is upstream's own default: it means the first usable address.
/// </summary>
public sealed class AllocatableProperties
{
    /// <summary>The model's verdict: the allocatable offsets, or the word the error message must contain.</summary>
    static Either<string, bool[]> Model(RangeSpec spec)
    {
        var size = 1 << (32 - spec.Range.Prefix);
        var network = (uint)spec.Range.Address.Value & ~(uint)(size - 1);
        var pointToPoint = spec.Range.Prefix == 31;

        Either<string, int> Bound(Option<Address> bound, int dflt) => bound.Match(
            a => (uint)a.Value - network >= (uint)size ? Either<string, int>.Left("outside")
               : !pointToPoint && (uint)a.Value == network ? dflt == 1 ? 1 : "network address"
               : !pointToPoint && (uint)a.Value - network == (uint)size - 1 ? "broadcast"
               : Either<string, int>.Right((int)((uint)a.Value - network)),
            () => dflt);

        var first = pointToPoint ? 0 : 1;
        var last = pointToPoint ? 1 : size - 2;
        return from lo in Bound(spec.Start, first)
               from hi in Bound(spec.End, last)
               from ordered in lo <= hi ? Either<string, Unit>.Right(Unit.Default) : "after"
               from excluded in spec.Exclude.Map(x => Excluded(x, network, size)).Sequence()
               select Enumerable.Range(0, size)
                   .Select(o => lo <= o && o <= hi && !excluded.Exists(x => x.Lo <= network + (uint)o && network + (uint)o <= x.Hi)
                                && !spec.Gateway.Exists(g => (uint)g.Value == network + (uint)o))
                   .ToArray();
    }

    static Either<string, (uint Lo, uint Hi)> Excluded(Cidr x, uint network, int size)
    {
        var xSize = 1UL << (32 - x.Prefix);
        var xLo = (ulong)(uint)x.Address.Value & ~(xSize - 1);
        var xHi = xLo + xSize - 1;
        var overlaps = xLo <= network + (ulong)size - 1 && network <= xHi;
        return overlaps ? ((uint)xLo, (uint)xHi) : "does not overlap";
    }

    [Fact]
    public void AllocatableIsUsableClippedByStartAndEndMinusExcludesAndTheGateway() =>
        Gen.Select(Gens.SmallV4RangeSpec, Gen.Int[-2048, 4095]).Sample(t =>
        {
            var (bare, gatewayOffset) = t;
            // The gateway, when there is one, lies in the range: configuration puts it only on ranges containing it.
            var spec = gatewayOffset < 0 || gatewayOffset >= 1 << (32 - bare.Range.Prefix)
                ? bare
                : bare with { Gateway = bare.Configured.AddressAt((UInt128)gatewayOffset) };
            var actual = Allocatable.Of(spec);
            Model(spec).Match(
                Right: expected => actual.Match(
                    Succ: set =>
                    {
                        for (var o = 0; o < expected.Length; o++)
                            Assert.True(expected[o] == set.Contains((UInt128)o), $"offset {o} of {spec}: expected {(expected[o] ? "allocatable" : "not allocatable")} in {set}");
                        Assert.Equal((UInt128)expected.Count(b => b), set.Count);
                    },
                    Fail: e => Assert.Fail($"{spec} should be valid but failed: {e.Message}")),
                Left: why => actual.Match(
                    Succ: set => Assert.Fail($"{spec} should fail with \"{why}\" but gave {set}"),
                    Fail: e =>
                    {
                        Assert.Equal(Errors.InvalidConfigCode, e.Code);
                        Assert.Contains(why, e.Message);
                    }));
        });

    [Fact]
    public void AllocatableOffsetsAreAlwaysInsideTheUsableSpan() =>
        Gens.Cidr.Where(c => c.HostBits > 0).Sample(c =>
        {
            var set = Allocatable.Of(RangeSpec.Of(c)).ThrowIfFail();
            var ivs = set.Intervals;
            Assert.Single(ivs);
            Assert.Equal(c.HostBits == 1 ? UInt128.Zero : UInt128.One, ivs[0].Lo);
            Assert.Equal(c.HostBits == 1 ? UInt128.One : c.LastOffset - 1, ivs[0].Hi);
        });

    /// <summary>
    /// Node-slice mode against the same model: the addresses of the whole range's allocatable set that are
    /// usable in the slice (its network and all-ones addresses dropped), counted from the slice's network.
    /// </summary>
    [Fact]
    public void ASliceAllowsWhatTheRangeAllowsInsideTheSlicesUsableSpan() =>
        (from spec in Gens.SmallV4RangeSpec.Where(s => s.Range.Prefix <= 28 && Model(s).IsRight)
         from extra in Gen.Int[1, 30 - spec.Range.Prefix]
         from index in Gen.Int[0, (1 << extra) - 1]
         select (spec, extra, index))
        .Sample(t =>
        {
            var (spec, extra, index) = t;
            var expected = Model(spec).IfLeft([]);
            var sliceHostBits = 32 - spec.Range.Prefix - extra;
            var sliceFirst = index << sliceHostBits;
            var sliceSize = 1 << sliceHostBits;
            var slice = new Cidr(spec.Configured.AddressAt((UInt128)sliceFirst), spec.Range.Prefix + extra);
            var sliced = spec.InSlice(new NodeSlice(slice, "node-1"));
            var set = Allocatable.Of(sliced).ThrowIfFail();
            Assert.Equal(slice.Normalised, sliced.Network);
            for (var o = 0; o < sliceSize; o++)
            {
                var inUsable = o >= 1 && o <= sliceSize - 2;
                Assert.True((inUsable && expected[sliceFirst + o]) == set.Contains((UInt128)o), $"offset {o} of slice {slice} of {spec}: {set}");
            }
            Assert.True(set.IsEmpty || set.Intervals[^1].Hi < (UInt128)sliceSize);
        });

    [Fact]
    public void ASliceOutsideItsRangeIsAnErrorThatSaysSo() =>
        (from spec in Gens.SmallV4RangeSpec.Where(s => Model(s).IsRight)
         from prefix in Gen.Int[spec.Range.Prefix, 32]
         from offset in Gen.UInt
         select (spec, slice: new Cidr(new Address(IpFamily.V4, offset), prefix).Normalised))
        .Where(t => !t.spec.Configured.Contains(t.slice.Network))
        .Sample(t =>
        {
            var result = Allocatable.Of(t.spec.InSlice(new NodeSlice(t.slice, "node-1")));
            Assert.True(result.IsFail, $"{t.slice} is outside {t.spec}");
            result.IfFail(e => Assert.Contains("not inside range", e.Message));
        });
}
