using System.Collections.Immutable;
using CsCheck;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// <see cref="GroupCommit"/> over the real in-memory store: concurrent requests for one pool are committed
/// together, and whatever the store does (lost races, taken reservations, failures, lost answers) every
/// address is held once, every answered address is stored with its reservation, and nothing is left behind.
/// </summary>
public sealed class GroupCommitTests
{
    static readonly Cidr Range = Cidr.Parse("10.20.0.0/26").ThrowIfFail(); // 62 usable
    static readonly NetworkScope Scope = new([RangeSpec.Of(Range)], "", OverlappingRanges: true);
    static readonly PoolKey Key = PoolKey.Of(Scope.Ranges[0], "");
    static readonly RetryPolicy Policy = RetryPolicy.Default with { Deadline = TimeSpan.FromHours(1) };

    static Owner Pod(int i) => new($"c{i}", $"default/pod-{i}", "net1");

    static GroupCommit Group(IPoolStore store, TimeProvider? clock = null, int seed = 1)
    {
        var random = new Random(seed);
        return new GroupCommit(store, Policy, clock ?? new VirtualClock(), () => { lock (random) return random.NextDouble(); }, Log.Silent);
    }

    static Task<Fin<Outcome>> Add(GroupCommit group, int i, TimeProvider clock) =>
        group.Run(Key, (pools, known) => Allocator.Decide(new AddRequest(Pod(i), Scope, []), pools, known), Deadline(clock));

    static Task<Fin<Outcome>> Del(GroupCommit group, int i, TimeProvider clock) =>
        group.Run(Key, (pools, _) => Releaser.Decide(new DelRequest(Pod(i).ContainerId, "net1", Scope), pools), Deadline(clock));

    static RetryDeadline Deadline(TimeProvider clock) => new(Policy.Deadline, clock);

    static Address LeaseOf(Fin<Outcome> result) =>
        Assert.Single(Assert.IsType<Outcome.Allocated>(result.ThrowIfFail()).Leases).Address;

    [Fact]
    public async Task RequestsThatArriveWhileAWriteIsInFlightAreCommittedWithOneWrite()
    {
        var store = new GatedStore(new InMemoryPoolStore());
        var clock = new VirtualClock();
        var group = Group(store, clock);
        var first = Add(group, 0, clock);
        await store.FirstPoolWriteStarted;
        var rest = Enumerable.Range(1, 30).Select(i => Add(group, i, clock)).ToArray();
        store.ReleaseFirstPoolWrite();
        var results = await Task.WhenAll(rest.Prepend(first));

        var leases = results.Select(LeaseOf).ToArray();
        Assert.Equal(31, leases.Distinct().Count());
        Assert.Equal(2, store.PoolWrites); // the first alone, then the 30 that queued behind it together
        var pool = await store.StateOf(Key);
        Assert.Equal(leases.Order().ToArray(), pool.Allocations.Select(a => Range.AddressAt(a.Offset)).ToArray());
        Assert.Equal(31, (await store.Reservations()).Length);
    }

    [Fact]
    public async Task AReservationHeldByAnotherPodSendsOnlyTheRequestDecidedOntoItAgain()
    {
        var memory = new InMemoryPoolStore();
        var stranger = new Owner("x", "other/pod", "net1");
        // 10.20.0.3 is reserved by a pod of another network sharing the reservations: whoever is decided onto it goes again.
        Assert.Equal(ApplyResult.Applied, await memory.Apply(new StoreOp.CreateReservation(ReservationKey.For(Range.AddressAt(3), ""), stranger), default));
        var store = new GatedStore(memory);
        var clock = new VirtualClock();
        var group = Group(store, clock);
        var first = Add(group, 0, clock);
        await store.FirstPoolWriteStarted;
        var rest = Enumerable.Range(1, 6).Select(i => Add(group, i, clock)).ToArray();
        store.ReleaseFirstPoolWrite();
        var leases = (await Task.WhenAll(rest.Prepend(first))).Select(LeaseOf).ToArray();

        Assert.DoesNotContain(Range.AddressAt(3), leases);
        Assert.Equal(7, leases.Distinct().Count());
        var reservations = await store.Reservations();
        Assert.Equal(8, reservations.Length);
        Assert.Contains(reservations, r => r.Owner == stranger);
        Assert.Equal(7, (await store.StateOf(Key)).Allocations.Length);
    }

    [Fact]
    public async Task AReservationKeptFromALostRaceButNotTakenAgainIsReleased()
    {
        var memory = new InMemoryPoolStore();
        var stranger = new Owner("x", "other/pod", "net1");
        // The first pool write loses to a writer that put 10.20.0.1 in the pool without a reservation (as a
        // network without overlapping ranges may): the address reserved in the lost round is not free any more.
        var store = new RacingStore(memory, async () =>
            await memory.Apply(new StoreOp.CreatePool(Key, PoolState.Empty(Range).With(new Allocation(1, stranger))), default));
        var clock = new VirtualClock();
        var lease = LeaseOf(await Add(Group(store, clock), 0, clock));

        Assert.Equal(Range.AddressAt(2), lease);
        var reservations = await memory.Reservations();
        Assert.Equal([ReservationKey.For(Range.AddressAt(2), "").Name], reservations.Select(r => r.Name));
    }

    [Fact]
    public async Task DelsBatchAndLeaveNoReservationBehind()
    {
        var store = new InMemoryPoolStore();
        var clock = new VirtualClock();
        var group = Group(new InterleavingStore(store), clock);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Add(group, i, clock)));
        var dels = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Del(group, i, clock)));
        Assert.All(dels, d => Assert.Single(Assert.IsType<Outcome.Released>(d.ThrowIfFail()).Addresses));
        Assert.Empty((await store.StateOf(Key)).Allocations);
        Assert.Empty(await store.Reservations());
    }

    /// <summary>A request, and the fault the store's calls suffer in order while the batch runs.</summary>
    static readonly Gen<((bool Add, int Who)[] Requests, Fault[] Faults)> FaultyRun =
        from requests in Gen.Select(Gen.Frequency((3, true), (1, false)), Gen.Int[0, 24]).Array[1, 50]
        from faults in Gen.Frequency(
            (6, Gen.Const(Fault.None)), (1, Gen.Const(Fault.Conflict)), (1, Gen.Const(Fault.Unavailable)),
            (1, Gen.Const(Fault.CommittedUnheard)), (1, Gen.Const(Fault.LostUnheard))).Array[0, 40]
        select (requests, faults);

    [Fact]
    public Task WhateverTheStoreDoesEveryAnsweredAddressIsStoredOnceWithItsReservation() =>
        FaultyRun.SampleAsync(async run =>
        {
            var memory = new InMemoryPoolStore();
            var clock = new VirtualClock();
            var group = Group(new InterleavingStore(new FaultyStore(memory, run.Faults)), clock, seed: run.Requests.Length);
            // Requests of one pod interface run in the order given (a runtime does not overlap ADD and DEL of
            // one attachment); different ones all at once.
            var byPod = run.Requests.Select((r, i) => (r, i)).GroupBy(x => x.r.Who);
            var last = new Dictionary<int, Fin<Outcome>>();
            await Task.WhenAll(byPod.Select(async pod =>
            {
                foreach (var (r, _) in pod)
                {
                    var result = r.Add ? await Add(group, r.Who, clock) : await Del(group, r.Who, clock);
                    Assert.True(result.IsSucc, $"{(r.Add ? "ADD" : "DEL")} of pod {r.Who}: {result}");
                    lock (last) last[r.Who] = result;
                }
            }));

            var pool = await memory.StateOf(Key);
            var reservations = await memory.Reservations();
            // One address per pod interface, and each held address reserved by its holder, nothing else reserved.
            Assert.Equal(pool.Allocations.Length, pool.Allocations.Select(a => a.Owner.ContainerId).Distinct().Count());
            Assert.Equal(pool.Allocations.Select(a => (ReservationKey.For(Range.AddressAt(a.Offset), "").Name, a.Owner.ContainerId)).Order().ToArray(),
                reservations.Select(r => (r.Name, r.Owner.ContainerId)).Order().ToArray());
            // Whoever's last request was an ADD holds exactly the address it was answered with; a DEL, nothing.
            foreach (var (who, result) in last)
            {
                var held = pool.Allocations.Where(a => a.Owner.ContainerId == $"c{who}").Select(a => Range.AddressAt(a.Offset)).ToArray();
                if (result.Case is Outcome.Allocated) Assert.Equal([LeaseOf(result)], held);
                else Assert.Empty(held);
            }
        }, iter: 60);
}

/// <summary>The first pool write runs <paramref name="rival"/> instead and answers Conflict, as when another writer got there first.</summary>
sealed class RacingStore(IPoolStore inner, Func<Task> rival) : StoreInFront(inner)
{
    int writes;

    public override async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        if (op is StoreOp.ReplacePool or StoreOp.CreatePool && Interlocked.Increment(ref writes) == 1)
        {
            await rival();
            return ApplyResult.Conflict;
        }
        return await base.Apply(op, ct);
    }

}

/// <summary>
/// Holds the first pool write until the test releases it, so the requests a test starts meanwhile queue
/// behind it, and counts pool writes.
/// </summary>
sealed class GatedStore(IPoolStore inner) : StoreInFront(inner)
{
    readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int writes;

    public Task FirstPoolWriteStarted => started.Task;
    public int PoolWrites => writes;
    public void ReleaseFirstPoolWrite() => release.TrySetResult();

    public override async Task<ApplyResult> Apply(StoreOp op, CancellationToken ct)
    {
        if (op is StoreOp.ReplacePool or StoreOp.CreatePool && Interlocked.Increment(ref writes) == 1)
        {
            started.TrySetResult();
            await release.Task;
        }
        return await base.Apply(op, ct);
    }

}

/// <summary>A store in front of another that passes every call through, but the writes it overrides.</summary>
abstract class StoreInFront(IPoolStore inner) : IPoolStore
{
    public virtual Task<ApplyResult> Apply(StoreOp op, CancellationToken ct) => inner.Apply(op, ct);
    public Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct) => inner.LoadPool(key, ct);
    public Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct) => inner.LoadReservation(key, ct);
    public Task<ImmutableArray<ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) => inner.ListReservations(namePrefix, ct);
    public Task<ImmutableArray<PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) => inner.ListPools(namePrefix, ct);
    public Task Ping(CancellationToken ct) => inner.Ping(ct);
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
