using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Config;

/// <summary>
/// One range entry: "range" is a CIDR (host bits ignored) or "start-end/prefix", where start becomes the
/// range start and end/prefix both the CIDR and the range end (upstream's form). An explicit range_start or
/// range_end wins over the dash form.
/// </summary>
static class RangeParser
{
    public static Option<RangeSpec> Parse(Problems problems, string at, string? range, string? start, string? end, List<string>? exclude)
    {
        if (string.IsNullOrWhiteSpace(range)) { problems.Add($"{at}range", "is required: give a CIDR such as 192.168.2.0/24"); return Option<RangeSpec>.None; }
        var dash = range.IndexOf('-');
        var cidrText = dash < 0 ? range : range[(dash + 1)..];
        var cidr = problems.Take($"{at}range", CidrParser.Parse(cidrText));
        var dashStart = dash < 0 ? Option<Address>.None : problems.Take($"{at}range", AddressParser.Parse(range[..dash]));
        var startAddress = problems.TakeOptional($"{at}range_start", start, AddressParser.Parse) || dashStart;
        var endAddress = problems.TakeOptional($"{at}range_end", end, AddressParser.Parse) || (dash < 0 ? Option<Address>.None : cidr.Map(c => c.Address));
        var excludes = Lists.Choose(exclude, (x, i) => problems.Take($"{at}exclude[{i}]", ParseExclude(x)));
        return cidr.Map(c => new RangeSpec(c, startAddress, endAddress, excludes))
            .Bind(spec => Checked(problems, at, spec));
    }

    /// <summary>
    /// Checks each part on its own so that every bad key is reported under its own name, then the whole.
    /// </summary>
    static Option<RangeSpec> Checked(Problems problems, string at, RangeSpec spec)
    {
        var bare = spec with { Start = Option<Address>.None, End = Option<Address>.None, Exclude = ImmutableArray<Cidr>.Empty };
        if (problems.Take($"{at}range", Allocatable.Of(bare)).IsNone) return Option<RangeSpec>.None;
        // Evaluate every part (no short-circuit), so that all problems are collected.
        var partsOk = problems.Take($"{at}range_start", Allocatable.Of(bare with { Start = spec.Start })).IsSome;
        partsOk &= problems.Take($"{at}range_end", Allocatable.Of(bare with { End = spec.End })).IsSome;
        for (var i = 0; i < spec.Exclude.Length; i++)
            partsOk &= problems.Take($"{at}exclude[{i}]", Allocatable.Of(bare with { Exclude = [spec.Exclude[i]] })).IsSome;
        return partsOk ? problems.Take($"{at}range_start", Allocatable.Of(spec)).Map(_ => spec) : Option<RangeSpec>.None;
    }

    /// <summary>A CIDR, or a bare address meaning just itself.</summary>
    static Fin<Cidr> ParseExclude(string text) =>
        text.Contains('/') ? CidrParser.Parse(text) : AddressParser.Parse(text).Map(a => new Cidr(a, a.Family.Bits()));
}
