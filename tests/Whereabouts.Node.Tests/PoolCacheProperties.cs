using CsCheck;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Node.Kube;

namespace Whereabouts.Node.Tests;

/// <summary>
/// PoolCache against a model: per pool, the newest version put or deleted wins (integers compared), except
/// that after a lost race (Invalidate) the pool is unknown until the next read or event, whatever its version.
/// </summary>
public sealed class PoolCacheProperties
{
    static readonly Cidr Range = Cidr.Parse("10.0.0.0/24").ThrowIfFail();

    enum Kind { Put, Remove, Invalidate }

    static readonly Gen<(Kind Kind, int Pool, int Version)> OpGen =
        Gen.Select(Gen.Frequency((5, Gen.Const(Kind.Put)), (1, Gen.Const(Kind.Remove)), (1, Gen.Const(Kind.Invalidate))), Gen.Int[0, 3], Gen.Int[1, 40]);

    static PoolKey Key(int pool) => new($"pool-{pool}", Range);

    static PoolSnapshot Snapshot(int pool, int version) =>
        new(Key(pool), new StoreVersion(version.ToString(System.Globalization.CultureInfo.InvariantCulture)), PoolState.Empty(Range));

    [Fact]
    public void TheNewestVersionWinsAndALostRaceForgetsThePool() =>
        OpGen.Array[0, 60].Sample(ops =>
        {
            var cache = new PoolCache(TimeProvider.System);
            cache.Reset([]);
            // The model: per pool, (version or none when deleted, stale).
            var model = new Dictionary<int, (int? Version, bool Stale)>();
            foreach (var (kind, pool, version) in ops)
            {
                var had = model.TryGetValue(pool, out var m) ? m : ((int?)null, false);
                var newer = !model.ContainsKey(pool) || had.Item2 || had.Item1 is null || version >= had.Item1;
                switch (kind)
                {
                    case Kind.Put:
                        cache.Put(Snapshot(pool, version));
                        if (newer) model[pool] = (version, false);
                        break;
                    case Kind.Remove:
                        cache.Remove(Key(pool).Name, new StoreVersion(version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        if (newer) model[pool] = (null, false);
                        break;
                    case Kind.Invalidate:
                        cache.Invalidate(Key(pool).Name);
                        model[pool] = (null, true);
                        break;
                }
                for (var p = 0; p < 4; p++)
                {
                    var found = cache.Find(Key(p));
                    if (!model.TryGetValue(p, out var e) || (e.Version is null && !e.Stale)) Assert.False(found?.Exists ?? true, $"pool {p} should be known missing");
                    else if (e.Stale) Assert.Null(found);
                    else Assert.Equal(e.Version.ToString(), found!.Version.Map(v => v.Value).IfNone(""));
                }
            }
        });

    [Fact]
    public void BeforeTheFirstListAndWhileRelistingTheStoreIsRead()
    {
        var cache = new PoolCache(TimeProvider.System);
        cache.Put(Snapshot(0, 3));
        Assert.Null(cache.Find(Key(0)));
        cache.Reset([Snapshot(0, 5)]);
        Assert.Equal("5", cache.Find(Key(0))!.Version.Map(v => v.Value).IfNone(""));
        cache.Unsync();
        Assert.Null(cache.Find(Key(0)));
        cache.Reset([]);
        Assert.False(cache.Find(Key(0))!.Exists);
    }
}
