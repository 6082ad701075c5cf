using System.Collections.Immutable;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Kubectl.Model;

/// <summary>One line of <c>pools</c>: a pool, where it belongs, and how full it is (<see cref="PoolUsage"/>, as the controller's metrics count it).</summary>
public sealed record PoolRow(string Pool, string Range, string Network, string Node, double Size, double Used, double Free, double Fraction);

public static class PoolReport
{
    /// <summary>Every pool, fullest first (then by name), so the pools about to run out are on top.</summary>
    public static ImmutableArray<PoolRow> Of(ClusterView view) =>
        view.Pools
            .Select(p => (Usage: PoolUsage.Of(p), Place: PoolPlace.Of(p.Key, view.Slices)))
            .Select(x => new PoolRow(x.Usage.Pool, x.Usage.Range.ToString(), x.Place.Network, x.Place.Node,
                x.Usage.Size, x.Usage.Used, x.Usage.Free, x.Usage.Fraction))
            .OrderByDescending(r => r.Fraction).ThenBy(r => r.Pool, StringComparer.Ordinal)
            .ToImmutableArray();
}
