using Whereabouts.Core.Addresses;
using static Whereabouts.Core.Tests.Config.ConfigText;

namespace Whereabouts.Core.Tests.Config;

/// <summary>Big configurations get a bounded answer: checks scale as n log n and the error lists a bounded number of problems.</summary>
public sealed class ScaleTests
{
    static string IpRanges(IEnumerable<string> ranges) =>
        $"\"ipRanges\": [{string.Join(",", ranges.Select(r => $"{{\"range\": \"{r}\"}}"))}]";

    static string MessageOf(string stdin) => Parse(stdin).Match(_ => "", e => e.Message);

    [Fact]
    public void TwoThousandOverlappingRangesGiveAShortErrorCountingTheRest()
    {
        var message = MessageOf(Network(IpRanges(Enumerable.Repeat("10.0.0.0/24", 2000))));
        Assert.Contains("10.0.0.0/24 overlaps 10.0.0.0/24", message);
        Assert.Contains("… and 1,979 more", message); // 1,999 overlaps, 20 shown
        Assert.True(message.Length < 8_000, $"{message.Length} characters");
    }

    [Fact]
    public void AHundredThousandBadExcludesGiveAShortError()
    {
        var excludes = string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"bad{i}\""));
        var message = MessageOf(Network($"\"range\": \"10.0.0.0/8\", \"exclude\": [{excludes}]"));
        Assert.Contains("exclude[0]:", message);
        Assert.Contains("… and 99,980 more", message);
        Assert.True(message.Length < 8_000, $"{message.Length} characters");
    }

    [Fact]
    public void TenThousandDisjointRangesAreAccepted()
    {
        var ranges = Enumerable.Range(0, 10_000).Select(i => $"10.{i / 256}.{i % 256}.0/24");
        var settings = Parse(Network(IpRanges(ranges)));
        Assert.Equal(10_000, settings.Map(s => s.Ranges.Length).IfFail(0));
    }

    [Fact]
    public void ManyExcludesAllCount()
    {
        // Every other address of a /16 excluded, one by one, in reverse order: 32,768 excludes.
        var excludes = Enumerable.Range(0, 32_768).Reverse().Select(i => $"\"10.0.{(2 * i) / 256}.{(2 * i) % 256}\"");
        var settings = Parse(Network($"\"range\": \"10.0.0.0/16\", \"exclude\": [{string.Join(",", excludes)}]")).ThrowIfFail();
        var allocatable = Core.Ranges.Allocatable.Of(settings.Ranges[0]).ThrowIfFail();
        Assert.Equal((UInt128)32_767, allocatable.Count); // the odd offsets, less the broadcast .255.255
    }

    /// <summary>The sweep against the pairwise model: a list of ranges is accepted iff no two overlap.</summary>
    [Fact]
    public void RangesAreRefusedExactlyWhenTwoOverlap()
    {
        var cidrs = Gen.Select(Gen.Int[0, 63], Gen.Int[26, 30], (block, prefix) => new Cidr(new Address(IpFamily.V4, 0x0A000000u + ((uint)block << 2)), prefix).Normalised);
        cidrs.Array[1, 8].Sample(list =>
        {
            var overlapping = list.SelectMany((a, i) => list.Take(i).Select(b => a.Overlaps(b))).Any(o => o);
            var result = Parse(Network(IpRanges(list.Select(c => c.ToString()))));
            return result.IsFail == overlapping && (!overlapping || result.Match(_ => false, e => e.Message.Contains("overlaps")));
        });
    }
}
