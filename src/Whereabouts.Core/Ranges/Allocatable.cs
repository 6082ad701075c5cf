using LanguageExt;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Ranges;

/// <summary>
/// The offsets a range may hand out:
///   allocatable = usable(cidr) ∩ [start, end] − ⋃ exclude − gateway
/// (a start on the network address meaning the first usable one), where usable drops the network and the all-ones address (as upstream, for IPv6 too), except on /31 and
/// /127 point-to-point links, which use both. Offsets count from the network address. In node-slice mode:
///   allocatable = (allocatable(range) ∩ usable(slice)) − slice's network address
/// so a slice keeps the range's start, end and excludes (which upstream drops), and offsets count from the
/// slice's network, as upstream stores them.
/// </summary>
public static class Allocatable
{
    public static Fin<IntervalSet> Of(RangeSpec spec) =>
        from whole in OfConfigured(spec)
        from allocatable in spec.Slice.Match(s => InSlice(spec.Configured, s, whole), () => Fin<IntervalSet>.Succ(whole))
        select allocatable;

    static Fin<IntervalSet> InSlice(Cidr configured, NodeSlice slice, IntervalSet whole)
    {
        var s = slice.Range.Normalised;
        if (s.Family != configured.Family || s.Prefix < configured.Prefix || !configured.Contains(s.Network))
            return Errors.InvalidConfig($"node {slice.Node}'s slice {s} is not inside range {configured}; the NodeSlicePool was made for another range: make the network's range match it");
        var first = s.Network.Value - configured.Network.Value;
        return from usable in Usable(s)
               select whole.Intersect(first + usable.Intervals[0].Lo, first + usable.Intervals[^1].Hi) is var inside && inside.IsEmpty
                   ? inside
                   : inside.ShiftedDown(first);
    }

    static Fin<IntervalSet> OfConfigured(RangeSpec spec) =>
        from usable in Usable(spec.Range)
        from start in Bound(spec, spec.Start.Filter(s => !IsNetworkAddress(spec, s)), "range_start", usable.Intervals[0].Lo)
        from end in Bound(spec, spec.End, "range_end", usable.Intervals[^1].Hi)
        from ordered in start <= end
            ? Fin<Unit>.Succ(Unit.Default)
            : Errors.InvalidConfig($"range_start {spec.Start.Map(a => a.ToString()).IfNone("")} is after range_end {spec.End.Map(a => a.ToString()).IfNone("")} in range {spec.Configured}; swap them")
        from excludes in spec.Exclude.TraverseAll(x => ExcludedSpan(spec, x))
        select usable.Intersect(start, end).MinusAll(excludes.AddRange(GatewaySpan(spec)));

    /// <summary>The gateway's own offset, when it is in the range: a pod given it would clash with the router.</summary>
    static IEnumerable<Interval> GatewaySpan(RangeSpec spec) =>
        spec.Gateway.Bind(g => spec.Configured.OffsetOf(g)).Map(o => new Interval(o, o)).ToList();

    /// <summary>
    /// range_start on the network address is upstream's own default (it sets range_start to it when none is
    /// given), so it means "from the start": the first usable address.
    /// </summary>
    static bool IsNetworkAddress(RangeSpec spec, Address a) => spec.Range.HostBits > 1 && a == spec.Configured.Network;

    /// <summary>Usable offsets of a network; /32 and /128 have none, which is a configuration error.</summary>
    public static Fin<IntervalSet> Usable(Cidr cidr) => cidr.HostBits switch
    {
        0 => Errors.InvalidConfig($"range {cidr} holds a single address, so there is nothing to allocate; use a prefix of /{cidr.Family.Bits() - 1} or shorter"),
        1 => IntervalSet.Of(0, 1),
        _ => IntervalSet.Of(1, cidr.LastOffset - 1),
    };

    static Fin<UInt128> Bound(RangeSpec spec, Option<Address> bound, string key, UInt128 dflt) =>
        bound.Match(
            a => spec.Configured.OffsetOf(a).Match(
                o => o >= 1 || spec.Range.HostBits == 1
                    ? o < spec.Configured.LastOffset || spec.Range.HostBits == 1
                        ? Fin<UInt128>.Succ(o)
                        : Errors.InvalidConfig($"{key} {a} is the broadcast address of range {spec.Configured}; use an address below it")
                    : Errors.InvalidConfig($"{key} {a} is the network address of range {spec.Configured}; use an address above it"),
                () => Errors.InvalidConfig($"{key} {a} is outside range {spec.Configured}; use an address inside it")),
            () => Fin<UInt128>.Succ(dflt));

    static Fin<Interval> ExcludedSpan(RangeSpec spec, Cidr exclude) =>
        exclude.Family != spec.Configured.Family
            ? Errors.InvalidConfig($"exclude {exclude} is not of the same address family as range {spec.Configured}")
            : !exclude.Overlaps(spec.Configured)
                ? Errors.InvalidConfig($"exclude {exclude} does not overlap range {spec.Configured}; remove it or fix the range")
                : Fin<Interval>.Succ(Clip(spec.Configured, exclude.Normalised));

    static Interval Clip(Cidr network, Cidr exclude)
    {
        var lo = UInt128.Max(exclude.Network.Value, network.Network.Value) - network.Network.Value;
        var hi = UInt128.Min(exclude.Network.Value + exclude.HostMask, network.Network.Value + network.HostMask) - network.Network.Value;
        return new Interval(lo, hi);
    }
}
