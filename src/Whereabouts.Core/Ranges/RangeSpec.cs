using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Ranges;

/// <summary>
/// One range to allocate from, as configured: the CIDR (host bits allowed), optional inclusive start and end,
/// and excluded CIDRs (a bare address excludes just itself). In node-slice mode, also this node's slice of it.
/// </summary>
public sealed record RangeSpec(Cidr Range, Option<Address> Start, Option<Address> End, ImmutableArray<Cidr> Exclude)
{
    /// <summary>This node's slice, when the range is sliced between nodes; allocation stays inside it.</summary>
    public Option<NodeSlice> Slice { get; init; }

    /// <summary>The configured gateway, when it lies in this range: it is never handed out (upstream hands it out).</summary>
    public Option<Address> Gateway { get; init; }

    public static RangeSpec Of(Cidr range) => new(range, None, None, Empty);

    static Option<Address> None => Option<Address>.None;
    static ImmutableArray<Cidr> Empty => ImmutableArray<Cidr>.Empty;

    /// <summary>The configured network: results carry its prefix length.</summary>
    public Cidr Configured => Range.Normalised;

    /// <summary>The network this range allocates in (the slice, in node-slice mode); offsets count from it.</summary>
    public Cidr Network => Slice.Match(s => s.Range.Normalised, () => Configured);

    public RangeSpec InSlice(NodeSlice slice) => this with { Slice = slice };

    public override string ToString() =>
        Configured + Start.Match(s => $" from {s}", () => "") + End.Match(e => $" to {e}", () => "") +
        (Exclude.IsEmpty ? "" : $" excluding {string.Join(",", Exclude)}") +
        Slice.Match(s => $", in node {s.Node}'s slice {s.Range.Normalised}", () => "");
}
