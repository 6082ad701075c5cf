using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Reclaim;

/// <summary>
/// A pool's size, use and headroom, for metrics and Events. The pool knows its CIDR, not the configuration's
/// range_start, range_end or exclude, so size counts the CIDR's usable addresses (<see cref="Allocatable.Usable"/>):
/// the size a configuration narrows can only be smaller.
/// </summary>
public sealed record PoolUsage(string Pool, double Size, double Used)
{
    public double Free => Math.Max(0, Size - Used);
    public double Fraction => Size > 0 ? Used / Size : 1;

    public static PoolUsage Of(PoolSnapshot pool) => new(
        pool.Key.Name,
        (double)Allocatable.Usable(pool.State.Range).Match(s => s.Count, _ => UInt128.Zero),
        pool.State.Allocations.Length);
}
