using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Ranges;

/// <summary>
/// One range to allocate from, as configured: the CIDR (host bits allowed), optional inclusive start and end,
/// and excluded CIDRs (a bare address excludes just itself).
/// </summary>
public sealed record RangeSpec(Cidr Range, Option<Address> Start, Option<Address> End, ImmutableArray<Cidr> Exclude)
{
    public static RangeSpec Of(Cidr range) => new(range, None, None, Empty);

    static Option<Address> None => Option<Address>.None;
    static ImmutableArray<Cidr> Empty => ImmutableArray<Cidr>.Empty;

    /// <summary>The network this range allocates in; its pool is named after this.</summary>
    public Cidr Network => Range.Normalised;

    public override string ToString() =>
        Network + Start.Match(s => $" from {s}", () => "") + End.Match(e => $" to {e}", () => "") +
        (Exclude.IsEmpty ? "" : $" excluding {string.Join(",", Exclude)}");
}
