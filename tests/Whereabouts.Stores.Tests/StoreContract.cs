using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores;
using Xunit;

namespace Whereabouts.Stores.Tests;

/// <summary>
/// The semantics every datastore must share. Each store gets a subclass that says how to open a fresh,
/// empty instance; the same assertions then run against memory, file, etcd and Kubernetes.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    protected abstract Task<IPoolStore> OpenEmpty();

    /// <summary>A second handle on the same data, as another plugin process would have.</summary>
    protected abstract Task<IPoolStore> OpenAgain();

    protected IPoolStore Store = null!;

    public async Task InitializeAsync() => Store = await OpenEmpty();

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    static readonly Cidr Range = Cidr.Parse("10.20.0.0/24").IfFail(default(Cidr));
    static readonly PoolKey Key = PoolKey.For(Range, "contract");
    static readonly Owner PodA = new("cid-a", "default/pod-a", "net1");
    static readonly Owner PodB = new("cid-b", "default/pod-b", "net1");
    static ReservationKey Reservation(string ip) => ReservationKey.For(Address.Parse(ip).IfFail(default(Address)), "contract");

    static PoolState StateWith(params (int Offset, Owner Owner)[] allocations) =>
        PoolState.Of(Range, allocations.Select(a => new Allocation((UInt128)a.Offset, a.Owner)));

    static string Describe(PoolState s) => string.Join(",", s.Allocations.Select(a => $"{a.Offset}:{a.Owner.ContainerId}:{a.Owner.PodRef}:{a.Owner.IfName}"));

    [Fact]
    public async Task AMissingPoolLoadsAsEmptyWithoutVersion()
    {
        var snapshot = await Store.LoadPool(Key, default);
        Assert.False(snapshot.Exists);
        Assert.Empty(snapshot.State.Allocations);
    }

    [Fact]
    public async Task CreatedPoolLoadsBackWithItsAllocations()
    {
        Assert.Equal(ApplyResult.Applied, await Store.Apply(new StoreOp.CreatePool(Key, StateWith((1, PodA), (7, PodB))), default));
        var loaded = await (await OpenAgain()).LoadPool(Key, default);
        Assert.True(loaded.Exists);
        Assert.Equal("1:cid-a:default/pod-a:net1,7:cid-b:default/pod-b:net1", Describe(loaded.State));
        Assert.Equal(Range, loaded.State.Range);
    }

    [Fact]
    public async Task CreatingAnExistingPoolConflictsAndKeepsTheFirst()
    {
        await Store.Apply(new StoreOp.CreatePool(Key, StateWith((1, PodA))), default);
        Assert.Equal(ApplyResult.Conflict, await Store.Apply(new StoreOp.CreatePool(Key, StateWith((2, PodB))), default));
        Assert.Equal("1:cid-a:default/pod-a:net1", Describe((await Store.LoadPool(Key, default)).State));
    }

    [Fact]
    public async Task ReplaceAtTheLoadedVersionAppliesAndMovesTheVersion()
    {
        await Store.Apply(new StoreOp.CreatePool(Key, StateWith((1, PodA))), default);
        var before = await Store.LoadPool(Key, default);
        var version = before.Version.IfNone(default(StoreVersion));
        Assert.Equal(ApplyResult.Applied, await Store.Apply(new StoreOp.ReplacePool(before, StateWith((1, PodA), (2, PodB))), default));
        var after = await Store.LoadPool(Key, default);
        Assert.NotEqual(version, after.Version.IfNone(default(StoreVersion)));
        Assert.Equal("1:cid-a:default/pod-a:net1,2:cid-b:default/pod-b:net1", Describe(after.State));
    }

    [Fact]
    public async Task ReplaceAtAStaleVersionConflictsAndChangesNothing()
    {
        await Store.Apply(new StoreOp.CreatePool(Key, StateWith((1, PodA))), default);
        var stale = await Store.LoadPool(Key, default);
        await Store.Apply(new StoreOp.ReplacePool(stale, StateWith((1, PodA), (2, PodB))), default);
        Assert.Equal(ApplyResult.Conflict, await Store.Apply(new StoreOp.ReplacePool(stale, StateWith((3, PodB))), default));
        Assert.Equal("1:cid-a:default/pod-a:net1,2:cid-b:default/pod-b:net1", Describe((await Store.LoadPool(Key, default)).State));
    }

    [Fact]
    public async Task ReplacingAMissingPoolSaysMissing()
    {
        Assert.Equal(ApplyResult.Missing, await Store.Apply(new StoreOp.ReplacePool(PoolSnapshot.Missing(Key) with { Version = new StoreVersion("1") }, StateWith((1, PodA))), default));
        Assert.False((await Store.LoadPool(Key, default)).Exists);
    }

    [Fact]
    public async Task OffsetsBeyondSixtyFourBitsRoundTrip()
    {
        var v6 = Cidr.Parse("fd00::/64").IfFail(default(Cidr));
        var key = PoolKey.For(v6, "contract");
        var big = (UInt128.One << 63) + 5;
        var state = PoolState.Of(v6, [new Allocation(big, PodA), new Allocation(UInt128.One << 64 - 1, PodB)]);
        Assert.Equal(ApplyResult.Applied, await Store.Apply(new StoreOp.CreatePool(key, state), default));
        var loaded = await (await OpenAgain()).LoadPool(key, default);
        Assert.Equal(state.Allocations.Select(a => a.Offset), loaded.State.Allocations.Select(a => a.Offset));
    }

    [Fact]
    public async Task AReservationIsCreatedOnceAndReadBack()
    {
        var key = Reservation("10.20.0.5");
        Assert.Equal(ApplyResult.Applied, await Store.Apply(new StoreOp.CreateReservation(key, PodA), default));
        Assert.Equal(ApplyResult.Conflict, await Store.Apply(new StoreOp.CreateReservation(key, PodB), default));
        var owner = await (await OpenAgain()).LoadReservation(key, default);
        Assert.Equal("default/pod-a", owner.Map(o => o.PodRef).IfNone(""));
        Assert.Equal("net1", owner.Map(o => o.IfName).IfNone(""));
    }

    [Fact]
    public async Task AReservationIsDeletedOnlyByItsOwner()
    {
        var key = Reservation("10.20.0.6");
        await Store.Apply(new StoreOp.CreateReservation(key, PodA), default);
        Assert.Equal(ApplyResult.Conflict, await Store.Apply(new StoreOp.DeleteReservation(key, PodB), default));
        Assert.True((await Store.LoadReservation(key, default)).IsSome);
        Assert.Equal(ApplyResult.Applied, await Store.Apply(new StoreOp.DeleteReservation(key, PodA), default));
        Assert.True((await Store.LoadReservation(key, default)).IsNone);
        Assert.Equal(ApplyResult.Missing, await Store.Apply(new StoreOp.DeleteReservation(key, PodA), default));
    }

    [Fact]
    public async Task IPv6ReservationNamesWork()
    {
        var key = Reservation("fd00::");
        Assert.Equal(ApplyResult.Applied, await Store.Apply(new StoreOp.CreateReservation(key, PodA), default));
        Assert.True((await Store.LoadReservation(key, default)).IsSome);
    }

    [Fact]
    public async Task ListingReservationsFindsEveryOneUnderTheNamePrefixWithItsOwner()
    {
        static ReservationKey Of(string ip, string network) => ReservationKey.For(Address.Parse(ip).IfFail(default(Address)), network);
        var mine = new[] { Of("10.20.0.5", "contract"), Of("fd00::", "contract"), Of("fd00::5", "contract") };
        foreach (var k in mine) Assert.Equal(ApplyResult.Applied, await Store.Apply(new StoreOp.CreateReservation(k, PodA), default));
        await Store.Apply(new StoreOp.CreateReservation(Of("10.20.0.6", "other"), PodB), default);
        await Store.Apply(new StoreOp.CreateReservation(Of("10.20.0.7", ""), PodB), default);

        var listed = await (await OpenAgain()).ListReservations("contract-", default);
        Assert.Equal(mine.Select(k => k.Name).Order(StringComparer.Ordinal), listed.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.All(listed, e => Assert.Equal(PodA, e.Owner));
        Assert.All(listed, e => Assert.Equal(e.Name, ReservationKey.Parse(e.Name, "contract").Map(k => k.Name).IfNone("")));
        var all = await Store.ListReservations("", default);
        Assert.Equal(["10.20.0.7", "contract-10.20.0.5", "contract-fd00--0", "contract-fd00--5", "other-10.20.0.6"], all.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListingReservationsPagesThroughMoreThanOneAnswer()
    {
        // More than the largest page an adapter asks for (Kubernetes 250, etcd 500).
        var v6 = Cidr.Parse("fd00:1::/64").IfFail(default(Cidr));
        var keys = Enumerable.Range(1, 520).Select(i => ReservationKey.For(v6.AddressAt((UInt128)i), "contract")).ToArray();
        foreach (var chunk in keys.Chunk(40))
            await Task.WhenAll(chunk.Select(k => Store.Apply(new StoreOp.CreateReservation(k, PodA), default)));
        var listed = await Store.ListReservations("contract-", default);
        Assert.Equal(keys.Select(k => k.Name).Order(StringComparer.Ordinal), listed.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListingPoolsReturnsEachWithItsRangeAndVersion()
    {
        var v6 = Cidr.Parse("fd00::/64").IfFail(default(Cidr));
        await Store.Apply(new StoreOp.CreatePool(Key, StateWith((1, PodA))), default);
        await Store.Apply(new StoreOp.CreatePool(PoolKey.For(v6, "contract"), PoolState.Of(v6, [new Allocation(5, PodB)])), default);
        await Store.Apply(new StoreOp.CreatePool(PoolKey.For(Range, "other"), StateWith((2, PodB))), default);

        var listed = (await (await OpenAgain()).ListPools("contract-", default)).OrderBy(p => p.Key.Name, StringComparer.Ordinal).ToArray();
        Assert.Equal(["contract-10.20.0.0-24", "contract-fd00---64"], listed.Select(p => p.Key.Name));
        Assert.Equal([Range, v6], listed.Select(p => p.Key.Range));
        Assert.Equal("1:cid-a:default/pod-a:net1", Describe(listed[0].State));
        Assert.Equal((await Store.LoadPool(Key, default)).Version, listed[0].Version);
        Assert.Equal(3, (await Store.ListPools("", default)).Length);
    }

    [Fact]
    public async Task AnExactOwnerDeleteLeavesAReservationAnotherSandboxOfThePodHolds()
    {
        var key = Reservation("10.20.0.8");
        await Store.Apply(new StoreOp.CreateReservation(key, PodA with { ContainerId = "cid-new" }), default);
        Assert.Equal(ApplyResult.Conflict, await Store.Apply(new StoreOp.DeleteReservation(key, PodA) { ExactOwner = true }, default));
        Assert.True((await Store.LoadReservation(key, default)).IsSome);
        Assert.Equal(ApplyResult.Applied, await Store.Apply(new StoreOp.DeleteReservation(key, PodA with { ContainerId = "cid-new" }) { ExactOwner = true }, default));
        Assert.True((await Store.LoadReservation(key, default)).IsNone);
    }

    [Fact]
    public async Task ConcurrentWritersThroughConflictRetryGetDistinctAddresses()
    {
        var scope = new NetworkScope([Whereabouts.Core.Ranges.RangeSpec.Of(Range)], "contract", OverlappingRanges: true);
        var stores = new List<IPoolStore>();
        for (var i = 0; i < 8; i++) stores.Add(await OpenAgain());
        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var store = stores[i % stores.Count];
            var retry = new ConflictRetry(store, RetryPolicy.Default, TimeProvider.System, Random.Shared.NextDouble, Log.Silent);
            var request = new AddRequest(new Owner($"cid-{i}", $"default/pod-{i}", "net1"), scope, []);
            var outcome = await retry.Run(scope.PoolKeys, (pools, known) => Allocator.Decide(request, pools, known), default);
            return outcome.Match(o => ((Outcome.Allocated)o).Leases[0].Address.ToString(), e => "error: " + e.Message);
        })).ToArray();
        var addresses = await Task.WhenAll(tasks);
        Assert.DoesNotContain(addresses, a => a.StartsWith("error", StringComparison.Ordinal));
        Assert.Equal(40, addresses.Distinct().Count());
        var pool = await Store.LoadPool(Key, default);
        Assert.Equal(40, pool.State.Allocations.Length);
        // Racing writers pick among the lowest free addresses (a window of at most 32), skipping at most the
        // 39 addresses others hold and the 39 others have reserved in flight: the pool stays at the bottom.
        Assert.All(pool.State.Allocations, a => Assert.InRange(a.Offset, (UInt128)1, (UInt128)(39 + 39 + 32)));
        foreach (var a in pool.State.Allocations)
        {
            var owner = await Store.LoadReservation(ReservationKey.For(Range.AddressAt(a.Offset), "contract"), default);
            Assert.Equal(a.Owner.PodRef, owner.Map(o => o.PodRef).IfNone("missing"));
        }
        foreach (var s in stores) await s.DisposeAsync();
    }
}
