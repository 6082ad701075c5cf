using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Tests.Pools;

/// <summary>PoolState against a SortedDictionary model: allocations stay sorted and the bitmap follows them.</summary>
public sealed class PoolStateProperties
{
    static readonly Cidr Range = Cidr.Parse("fd00::/64").ThrowIfFail();

    [Fact]
    public void WithAndWithoutKeepAllocationsSortedAndTheBitmapInStep() =>
        Gen.Select(Gen.Bool, Gens.UpTo(Range.HostMask), Gens.Owner).Array[0, 40].Sample(ops =>
        {
            var model = new SortedDictionary<UInt128, Owner>();
            var pool = PoolState.Empty(Range);
            foreach (var (add, offset, owner) in ops)
            {
                var before = pool;
                var beforeAllocations = before.Allocations.ToArray();
                var beforeUsed = before.Used.Offsets().ToArray();
                if (add) { model[offset] = owner; pool = pool.With(new Allocation(offset, owner)); }
                else { model.Remove(offset); pool = pool.Without(offset); }
                Assert.Equal(beforeAllocations, before.Allocations.ToArray());
                Assert.Equal(beforeUsed, before.Used.Offsets().ToArray());
                Assert.Equal(model.Select(kv => new Allocation(kv.Key, kv.Value)).ToArray(), pool.Allocations.ToArray());
                Assert.Equal(model.Keys, pool.Used.Offsets());
                Assert.Equal(model.TryGetValue(offset, out var o) ? o : null, pool.At(offset)?.Owner);
            }
        });
}
