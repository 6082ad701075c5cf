using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Reclaim;

/// <summary>
/// A pool's size, use and headroom, for metrics and Events. The pool knows its CIDR, not the configuration's
/// range_start, range_end or exclude, so size counts the CIDR's usable addresses (<see cref="Allocatable.Usable"/>):
/// the size a configuration narrows can only be smaller.
/// </summary>
public sealed record PoolUsage(string Pool, Addresses.Cidr Range, double Size, double Used)
{
    public double Free => Math.Max(0, Size - Used);
    public double Fraction => Size > 0 ? Used / Size : 1;

    public static PoolUsage Of(PoolSnapshot pool) => new(
        pool.Key.Name,
        pool.State.Range,
        (double)Allocatable.Usable(pool.State.Range).Match(s => s.Count, _ => UInt128.Zero),
        pool.State.Allocations.Length);
}

/// <summary>How full a pool is, for its Events: above 90 % it is nearly full, with no free address exhausted.</summary>
public enum Fullness { Normal, NearlyFull, Exhausted }

public static class Fullnesses
{
    public const double NearlyFullAbove = 0.9;

    public static Fullness Of(PoolUsage u) => u.Free <= 0 ? Fullness.Exhausted : u.Fraction > NearlyFullAbove ? Fullness.NearlyFull : Fullness.Normal;
}
