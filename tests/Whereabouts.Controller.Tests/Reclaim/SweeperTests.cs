using System.Collections.Immutable;
using Whereabouts.Controller.Reclaim;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;
using Whereabouts.Stores;
using Whereabouts.Stores.Memory;

namespace Whereabouts.Controller.Tests.Reclaim;

/// <summary>The sweep on the real in-memory store: what it releases, when, and what it leaves.</summary>
public sealed class SweeperTests
{
    static readonly Cidr Range = Cidr.Parse("10.1.0.0/24").ThrowIfFail();
    static readonly PoolKey Key = PoolKey.For(Range, "blue");
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    readonly InMemoryPoolStore store = new();
    readonly ManualClock clock = new(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
    readonly Dictionary<string, PodState> truth = new(StringComparer.Ordinal);
    readonly Dictionary<string, PodState> index = new(StringComparer.Ordinal);
    readonly List<string> readLive = [];

    Sweeper NewSweeper() => new(store,
        p => index.TryGetValue(p, out var s) ? new PodFact(s, false) : PodFact.NotIndexed,
        (pods, _) =>
        {
            readLive.AddRange(pods);
            return Task.FromResult(pods.ToImmutableDictionary(p => p, p => new PodFact(truth.TryGetValue(p, out var s) ? s : PodState.Gone, true)));
        },
        Grace, Log.Silent, clock);

    static Owner Pod(string name, string sandbox = "c-") => new(sandbox + name, "ns/" + name, "net1");

    async Task Allocate(int offset, Owner owner)
    {
        var pool = await store.LoadPool(Key, default);
        var next = pool.State.With(new Allocation((UInt128)offset, owner));
        Assert.Equal(ApplyResult.Applied, await store.Apply(pool.Exists ? new StoreOp.ReplacePool(pool, next) : new StoreOp.CreatePool(Key, next), default));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreateReservation(ReservationKey.For(Range.AddressAt((UInt128)offset), "blue"), owner with { ContainerId = "" }), default));
    }

    async Task<string[]> Held() => (await store.LoadPool(Key, default)).State.Allocations.Select(a => a.Owner.PodRef).ToArray();

    [Fact]
    public async Task AGonePodsAddressIsReleasedOnceSeenForTheGracePeriodAndReadLive()
    {
        await Allocate(5, Pod("a"));
        await Allocate(6, Pod("b"));
        truth["ns/b"] = index["ns/b"] = PodState.Live;
        var sweeper = NewSweeper();

        var first = await sweeper.Sweep(default);
        Assert.Empty(first.Released);
        Assert.Empty(readLive); // too new to suspect: no read yet

        clock.Advance(Grace);
        var second = await sweeper.Sweep(default);
        Assert.Equal(["ns/a"], readLive);
        var leak = Assert.Single(second.Released);
        Assert.Equal((ReclaimReason.PodGone, "ns/a"), (leak.Reason, leak.Allocation.Owner.PodRef));
        Assert.Equal(["ns/b"], await Held());
        Assert.True((await store.LoadReservation(ReservationKey.For(Range.AddressAt(5), "blue"), default)).IsNone);
        Assert.True((await store.LoadReservation(ReservationKey.For(Range.AddressAt(6), "blue"), default)).IsSome);
    }

    [Fact]
    public async Task AnIndexThatHasNotHeardOfAPodReleasesNothingWhenTheLiveReadFindsIt()
    {
        await Allocate(5, Pod("new"));
        truth["ns/new"] = PodState.Live; // created, but the watch has not told the index yet
        var sweeper = NewSweeper();
        await sweeper.Sweep(default);
        clock.Advance(Grace * 3);
        var report = await sweeper.Sweep(default);
        Assert.Equal(["ns/new"], readLive);
        Assert.Empty(report.Released);
        Assert.Equal(["ns/new"], await Held());
    }

    [Fact]
    public async Task ATerminalPodsAddressIsReleasedWithoutWaiting()
    {
        await Allocate(7, Pod("job"));
        truth["ns/job"] = index["ns/job"] = PodState.Terminal;
        var report = await NewSweeper().Sweep(default);
        Assert.Equal(ReclaimReason.PodTerminal, Assert.Single(report.Released).Reason);
        Assert.Empty(await Held());
    }

    [Fact]
    public async Task AnIndexThatSaysTerminalIsNotBelievedWithoutTheLiveRead()
    {
        await Allocate(7, Pod("web-0"));
        index["ns/web-0"] = PodState.Terminal; // stale: the pod was re-created and runs
        truth["ns/web-0"] = PodState.Live;
        var report = await NewSweeper().Sweep(default);
        Assert.Empty(report.Released);
        Assert.Equal(["ns/web-0"], await Held());
    }

    [Fact]
    public async Task AnOrphanedReservationIsDeletedAfterTheGracePeriodAndABackedOneNever()
    {
        await Allocate(5, Pod("a"));
        truth["ns/a"] = index["ns/a"] = PodState.Live;
        var orphan = ReservationKey.For(Range.AddressAt(9), "blue");
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreateReservation(orphan, Pod("crashed") with { ContainerId = "" }), default));
        var sweeper = NewSweeper();
        Assert.Empty((await sweeper.Sweep(default)).OrphansRemoved);
        clock.Advance(Grace);
        var report = await sweeper.Sweep(default);
        Assert.Equal([orphan.Name], report.OrphansRemoved.Select(o => o.Name));
        Assert.True((await store.LoadReservation(orphan, default)).IsNone);
        Assert.True((await store.LoadReservation(ReservationKey.For(Range.AddressAt(5), "blue"), default)).IsSome);
    }

    [Fact]
    public async Task AnOrphanThatAnAddFinishesMeanwhileIsKept()
    {
        var orphan = ReservationKey.For(Range.AddressAt(9), "blue");
        var owner = Pod("slow");
        await Allocate(3, Pod("other"));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreateReservation(orphan, owner with { ContainerId = "" }), default));
        var racing = new LandsBeforeReRead(store, async () =>
        {
            var pool = await store.LoadPool(Key, default);
            await store.Apply(new StoreOp.ReplacePool(pool, pool.State.With(new Allocation(9, owner))), default);
        });
        var sweeper = new Sweeper(racing, _ => new PodFact(PodState.Live, false), (_, _) => Task.FromResult(ImmutableDictionary<string, PodFact>.Empty), Grace, Log.Silent, clock);
        await sweeper.Sweep(default);
        clock.Advance(Grace);
        // The slow ADD lands its pool write between the sweep's listing and its re-read of the pool.
        racing.Armed = true;
        var report = await sweeper.Sweep(default);
        Assert.Empty(report.OrphansRemoved);
        Assert.True((await store.LoadReservation(orphan, default)).IsSome);
    }

    [Fact]
    public async Task AReleaseThatLosesTheRaceToANewSandboxOfThePodReleasesNothing()
    {
        await Allocate(5, Pod("web-0", "old-"));
        var sweeper = NewSweeper();
        await sweeper.Sweep(default);
        clock.Advance(Grace);
        // The live read says gone; before the release is written, the pod is re-created and its ADD records the new sandbox.
        var racing = new RewritesBeforeFirstWrite(store, async () =>
        {
            var pool = await store.LoadPool(Key, default);
            var held = pool.State.Allocations.Single();
            await store.Apply(new StoreOp.ReplacePool(pool, pool.State.Without(held.Offset).With(held with { Owner = Pod("web-0", "new-") })), default);
        });
        var again = new Sweeper(racing, p => PodFact.NotIndexed,
            (pods, _) => Task.FromResult(pods.ToImmutableDictionary(p => p, _ => new PodFact(PodState.Gone, true))), Grace, Log.Silent, clock);
        await again.Sweep(default); // its first sighting
        clock.Advance(Grace);
        var report = await again.Sweep(default);
        Assert.Empty(report.Released);
        var kept = Assert.Single((await store.LoadPool(Key, default)).State.Allocations);
        Assert.Equal("new-web-0", kept.Owner.ContainerId);
        Assert.True(racing.Raced);
    }

    /// <summary>Runs <paramref name="race"/> once, right before the first pool write reaches the store.</summary>
    sealed class RewritesBeforeFirstWrite(IPoolStore inner, Func<Task> race) : PassThrough(inner)
    {
        public bool Raced { get; private set; }
        public override async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
        {
            if (!Raced && op is StoreOp.ReplacePool)
            {
                Raced = true;
                await race();
            }
            return await base.Apply(op, ct);
        }
    }

    /// <summary>Once armed, runs <paramref name="race"/> before the next pool load (after the listings: the orphan's re-read).</summary>
    sealed class LandsBeforeReRead(IPoolStore inner, Func<Task> race) : PassThrough(inner)
    {
        public bool Armed { get; set; }
        public override async Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct)
        {
            if (Armed) { Armed = false; await race(); }
            return await base.LoadPool(key, ct);
        }
    }

    class PassThrough(IPoolStore inner) : IPoolStore
    {
        public virtual Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct) => inner.LoadPool(key, ct);
        public Task<LanguageExt.Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct) => inner.LoadReservation(key, ct);
        public Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) => inner.ListReservations(namePrefix, ct);
        public Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) => inner.ListPools(namePrefix, ct);
        public virtual Task<ApplyResult> Apply(StoreOp op, CancellationToken ct) => inner.Apply(op, ct);
        public Task Ping(CancellationToken ct) => inner.Ping(ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
