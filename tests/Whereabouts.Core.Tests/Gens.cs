using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests;

/// <summary>
/// Every CsCheck generator of the suite. Values are structured (family → prefix → offset near an edge) rather
/// than uniform, because a uniform 128-bit value practically never lands on a boundary. 128-bit values are
/// built from two ulongs: CsCheck's own <c>Gen.UInt128</c> is not a generator of <see cref="System.UInt128"/>
/// values spread over the whole space.
/// </summary>
public static class Gens
{
    public static readonly Gen<IpFamily> Family = Gen.OneOf(IpFamily.V4, IpFamily.V6);

    /// <summary>Uniform over the whole 128-bit space.</summary>
    public static readonly Gen<UInt128> AnyU128 = Gen.Select(Gen.ULong, Gen.ULong, (hi, lo) => new UInt128(hi, lo));

    /// <summary>A value in [0, max], most of the time near 0, near max, or next to a power of two.</summary>
    public static Gen<UInt128> UpTo(UInt128 max) => Gen.Frequency<UInt128>(
        (3, Gen.Int[0, 20].Select(i => UInt128.Min((UInt128)i, max))),
        (3, Gen.Int[0, 20].Select(i => max - UInt128.Min((UInt128)i, max))),
        (3, Gen.Select(Gen.Int[0, Math.Min(127, 128 - (int)UInt128.LeadingZeroCount(max))], Gen.Int[-3, 3], (k, d) => NearPowerOfTwo(k, d, max))),
        (3, AnyU128.Select(r => max == UInt128.MaxValue ? r : r % (max + 1))));

    static UInt128 NearPowerOfTwo(int k, int delta, UInt128 max)
    {
        var p = UInt128.One << k;
        var v = delta >= 0 ? (UInt128.MaxValue - p < (UInt128)delta ? UInt128.MaxValue : p + (UInt128)delta)
                           : (p < (UInt128)(-delta) ? UInt128.Zero : p - (UInt128)(-delta));
        return UInt128.Min(v, max);
    }

    /// <summary>An address of the given family, edge-biased over the family's space.</summary>
    public static Gen<Address> AddressOf(IpFamily family) => UpTo(family.MaxValue()).Select(v => new Address(family, v));

    public static readonly Gen<Address> Address = Family.SelectMany(AddressOf);

    /// <summary>IPv6 addresses outside ::ffff:0:0/96, which the BCL reports as IPv4-mapped and we read as IPv4.</summary>
    public static readonly Gen<Address> UnmappedV6 = AddressOf(IpFamily.V6).Where(a => !IsV4Mapped(a));

    public static bool IsV4Mapped(Address a) => a.Family == IpFamily.V6 && a.Value >> 32 == 0xFFFF;

    /// <summary>A prefix length for the family, weighted towards /0, /1, the longest two and the middle.</summary>
    public static Gen<int> PrefixOf(IpFamily family) => Gen.Frequency<int>(
        (1, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(family.Bits() - 1)), (1, Gen.Const(family.Bits())),
        (4, Gen.Int[0, family.Bits()]));

    /// <summary>A CIDR that may carry host bits (as a configured <c>range</c> may).</summary>
    public static readonly Gen<Cidr> Cidr =
        from family in Family
        from prefix in PrefixOf(family)
        from address in AddressOf(family)
        select new Cidr(address, prefix);

    /// <summary>A CIDR and an address near it.</summary>
    public static readonly Gen<(Cidr Cidr, Address Near)> CidrWithAddressNear =
        from cidr in Cidr
        from near in AddressNear(cidr)
        select (cidr, near);

    /// <summary>Two CIDRs of one family, the second based near the first so they often overlap or touch.</summary>
    public static readonly Gen<(Cidr A, Cidr B)> CidrPairNear =
        from a in Cidr
        from prefix in PrefixOf(a.Family)
        from address in AddressNear(a)
        select (a, new Cidr(address, prefix));

    /// <summary>An address near <paramref name="cidr"/>: inside near either edge, or just outside, or anywhere.</summary>
    public static Gen<Address> AddressNear(Cidr cidr) => AddressNear(cidr, insideWeight: 4);

    /// <summary><see cref="AddressNear(Cidr)"/> with the weight of "inside" against 1 for each way out.</summary>
    public static Gen<Address> AddressNear(Cidr cidr, int insideWeight)
    {
        var max = cidr.Family.MaxValue();
        var network = cidr.Network.Value;
        var last = network + cidr.HostMask;
        return Gen.Frequency<UInt128>(
            (insideWeight, UpTo(cidr.HostMask).Select(o => network + o)),
            (1, Gen.Int[1, 3].Select(d => network >= (UInt128)d ? network - (UInt128)d : network)),
            (1, Gen.Int[1, 3].Select(d => max - last >= (UInt128)d ? last + (UInt128)d : last)),
            (1, UpTo(max)))
            .Select(v => new Address(cidr.Family, v));
    }

    // ---- interval sets over a small universe -------------------------------------------------------------------

    /// <summary>Where the small universe of the IntervalSet and bitmap properties starts: at 0, mid-space, or at the very top.</summary>
    public static readonly Gen<UInt128> UniverseBase = Gen.OneOf(
        UInt128.Zero, (UInt128)1 << 63, UInt128.MaxValue - 300);

    /// <summary>[lo, hi] relative to the universe base, inside 0..300 (possibly empty when lo &gt; hi).</summary>
    public static readonly Gen<(int Lo, int Hi)> SmallSpan =
        Gen.Select(Gen.Int[0, 300], Gen.Int[0, 40], (lo, len) => (lo, Math.Min(300, lo + len)));

    /// <summary>Operations that shape an IntervalSet: a start span, then holes cut (Minus) or clips (Intersect).</summary>
    public static readonly Gen<(bool Minus, int Lo, int Hi)> SetOp =
        Gen.Select(Gen.Frequency((3, true), (1, false)), Gen.Int[0, 300], Gen.Int[0, 120],
            (minus, lo, len) => (minus, lo, Math.Min(300, lo + (minus ? len / 3 : len * 2))));

    /// <summary>A universe base, a first span and a few operations: enough to build any small IntervalSet.</summary>
    public static readonly Gen<(UInt128 Base, (int Lo, int Hi) Start, (bool Minus, int Lo, int Hi)[] Ops)> IntervalSetRecipe =
        Gen.Select(UniverseBase, Gen.Select(Gen.Int[0, 100], Gen.Int[150, 300]), SetOp.Array[0, 8]);

    // ---- bitmap offsets ---------------------------------------------------------------------------------------

    /// <summary>Cluster centres for bitmap offsets: page boundaries (4,096), 2^63, 2^64 and the top of the space.</summary>
    public static readonly Gen<UInt128> ClusterBase = Gen.OneOf(
        UInt128.Zero, (UInt128)4096 * 3, (UInt128)1 << 63, (UInt128)1 << 64, UInt128.MaxValue - 12_000);

    /// <summary>An offset in [base, base + 12,000]: a few pages around <paramref name="clusterBase"/>.</summary>
    public static Gen<UInt128> OffsetIn(UInt128 clusterBase) => Gen.Frequency<int>(
        (3, Gen.Int[0, 12_000]),
        (2, Gen.Int[0, 6].SelectMany(p => Gen.Int[-3, 3].Select(d => Math.Clamp(p * 4096 + d, 0, 12_000)))))
        .Select(d => clusterBase + (UInt128)d);

    /// <summary>
    /// Initial offsets: contiguous runs (so pages fill up and "first free" must walk across page boundaries)
    /// plus scattered singles.
    /// </summary>
    public static Gen<UInt128[]> InitialOffsets(UInt128 clusterBase) =>
        Gen.Select(
            Gen.Select(Gen.Int[0, 9_000], Gen.Int[0, 9_000]).Array[0, 2],
            OffsetIn(clusterBase).Array[0, 40],
            (runs, singles) => runs
                .SelectMany(r => Enumerable.Range(r.Item1, Math.Min(r.Item2, 12_000 - r.Item1)).Select(i => clusterBase + (UInt128)i))
                .Concat(singles).ToArray());

    /// <summary>A bitmap's starting point: its cluster base and initial offsets.</summary>
    public static readonly Gen<(UInt128 Base, UInt128[] Offsets)> BitmapStart =
        from b in ClusterBase
        from offsets in InitialOffsets(b)
        select (b, offsets);

    /// <summary>An offset relative to the cluster base, often right at a page boundary (4,096 or 8,192).</summary>
    public static readonly Gen<int> BitmapRelativeOffset = Gen.Frequency<int>(
        (3, Gen.Int[0, 12_000]),
        (2, Gen.Int[0, 2].SelectMany(p => Gen.Int[-2, 2].Select(d => Math.Clamp(p * 4096 + d, 0, 12_000)))));

    /// <summary>A "first free" query relative to the cluster base: from, a span [A, B] and holes cut out of it.</summary>
    public static readonly Gen<(int From, int A, int B, (int, int)[] Holes)> BitmapQuery =
        Gen.Select(BitmapRelativeOffset, Gen.Int[0, 12_000], Gen.Int[0, 12_000], Gen.Select(Gen.Int[0, 12_000], Gen.Int[0, 300]).Array[0, 3]);

    /// <summary>A set to search within, in the cluster: one span minus a few holes.</summary>
    public static Gen<IntervalSet> WithinSet(UInt128 clusterBase) =>
        Gen.Select(Gen.Int[0, 12_000], Gen.Int[0, 12_000], Gen.Select(Gen.Int[0, 12_000], Gen.Int[0, 300]).Array[0, 3],
            (a, b, holes) => holes.Aggregate(
                IntervalSet.Of(clusterBase + (UInt128)Math.Min(a, b), clusterBase + (UInt128)Math.Max(a, b)),
                (s, h) => s.Minus(clusterBase + (UInt128)h.Item1, clusterBase + (UInt128)(h.Item1 + h.Item2))));

    // ---- ranges -----------------------------------------------------------------------------------------------

    /// <summary>
    /// A small IPv4 range (/20 to /31, so at most 4,096 addresses to enumerate) with random range_start,
    /// range_end and excludes. Bounds and excludes are sometimes invalid on purpose (outside the range,
    /// on the network or broadcast address, reversed, not overlapping) so the errors are exercised too.
    /// </summary>
    public static readonly Gen<RangeSpec> SmallV4RangeSpec =
        from prefix in Gen.Int[20, 31]
        from value in Gen.UInt
        let range = new Cidr(new Address(IpFamily.V4, value), prefix)
        from start in OptionalAddressNear(range)
        from end in OptionalAddressNear(range)
        from excludes in ExcludeNear(range).Array[0, 3]
        select new RangeSpec(range, start, end, excludes.ToImmutableArray());

    static Gen<Option<Address>> OptionalAddressNear(Cidr range) => Gen.Frequency<Option<Address>>(
        (1, Gen.Const(Option<Address>.None)),
        (3, AddressNear(range, insideWeight: 24).Select(Option<Address>.Some)));

    static Gen<Cidr> ExcludeNear(Cidr range) =>
        from address in AddressNear(range, insideWeight: 16)
        from prefix in Gen.Frequency<int>((3, Gen.Int[range.Prefix, 32]), (1, Gen.Int[Math.Max(0, range.Prefix - 3), 32]))
        select new Cidr(address, prefix);

    /// <summary>A valid small range, a pool holding some of its offsets, and reservations on some addresses.</summary>
    public static readonly Gen<(RangeSpec Spec, UInt128[] Taken, UInt128[] Reserved, bool ReservedByMe, bool Overlapping)> AllocatorCase =
        from spec in SmallV4RangeSpec.Where(s => Allocatable.Of(s).IsSucc)
        let size = 1 << (32 - spec.Range.Prefix)
        from taken in Gen.Frequency<int[]>(
            (2, Gen.Int[0, size - 1].Array[0, 40]),
            (1, Gen.Int[0, Math.Min(size, 64)].Select(n => Enumerable.Range(0, n).ToArray())))
        from reserved in Gen.Int[0, Math.Min(size - 1, 80)].Array[0, 6]
        from reservedByMe in Gen.Frequency((1, true), (4, false))
        from overlapping in Gen.Frequency((3, true), (1, false))
        select (spec, taken.Select(t => (UInt128)t).ToArray(), reserved.Select(t => (UInt128)t).ToArray(), reservedByMe, overlapping);

    // ---- pools and offset keys --------------------------------------------------------------------------------

    /// <summary>Any 128-bit offset: edge-biased or uniform.</summary>
    public static readonly Gen<UInt128> Offset = Gen.OneOf<UInt128>(UpTo(UInt128.MaxValue), AnyU128);

    /// <summary>Text that is not a decimal offset: signs, spaces, separators, letters, too many digits.</summary>
    public static readonly Gen<string> GarbageOffsetKey = Gen.OneOf<string>(
        Gen.OneOf("", "-", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "١٢", "--1", "1-", "abc", "18446744073709551616.",
            "340282366920938463463374607431768211456", "-9223372036854775809", "9999999999999999999999999999999999999999",
            "00000000000000000000000000000000000000001"),
        Gen.Select(Gen.ULong, Gen.OneOf('a', 'z', ':', '/', ' ', '+', '.', 'e', '_'), Gen.Int[0, 19], (n, c, at) =>
        {
            var digits = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var i = Math.Min(at, digits.Length);
            return digits[..i] + c + digits[i..];
        }));

    public static readonly Gen<Owner> Owner =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 3], Gen.Int[0, 2],
            (c, p, i) => new Owner($"container-{c}", $"ns/pod-{p}", i == 0 ? "" : $"net{i}"));

    /// <summary>A pool of any family and size with up to 30 allocations (some without an interface name).</summary>
    public static readonly Gen<PoolState> PoolState =
        from cidr in Cidr.Where(c => !IsV4Mapped(c.Network)) // ::ffff:0:0/96 reads as IPv4: see BclQuirkTests
        from allocations in Gen.Select(UpTo(cidr.HostMask), Owner).Array[0, 30]
        select Whereabouts.Core.Pools.PoolState.Of(cidr, allocations.Select(a => new Allocation(a.Item1, a.Item2)));
}
