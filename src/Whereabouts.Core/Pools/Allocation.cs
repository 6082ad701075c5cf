namespace Whereabouts.Core.Pools;

/// <summary>One held address of a pool: its offset from the pool's network address, and its owner.</summary>
public sealed record Allocation(UInt128 Offset, Owner Owner);
