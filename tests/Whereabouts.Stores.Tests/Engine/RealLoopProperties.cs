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
/// The real ConflictRetry and PlanExecutor over the real in-memory store, with a store wrapper that fails
/// calls as a generated script says, and many pods' ADD and DEL running at once. Time is virtual: backoff
/// and Retry-After waits cost nothing, and the deadline is long enough that every request ends in success.
/// </summary>
public sealed class RealLoopProperties
{
    static readonly NetworkScope Scope = new([RangeSpec.Of(Cidr.Parse("10.9.0.0/26").ThrowIfFail())], "", OverlappingRanges: true);
    static readonly RetryPolicy Policy = RetryPolicy.Default with { Deadline = TimeSpan.FromHours(1) };

    static readonly Gen<Fault[]> Script = Gen.Frequency(
        (6, Gen.Const(Fault.None)), (2, Gen.Const(Fault.Conflict)), (2, Gen.Const(Fault.Unavailable)),
        (1, Gen.Const(Fault.CommittedUnheard)), (1, Gen.Const(Fault.LostUnheard))).Array[0, 30];

    static readonly Gen<Fault[]> CleanScript = Gen.Frequency(
        (6, Gen.Const(Fault.None)), (2, Gen.Const(Fault.Conflict)), (2, Gen.Const(Fault.Unavailable))).Array[0, 30];

    static readonly Gen<Fault[]> Conflicts = Gen.Frequency((3, Gen.Const(Fault.None)), (2, Gen.Const(Fault.Conflict))).Array[0, 30];

    static Owner Pod(int i) => new($"c{i}", $"default/pod-{i}", "net1");

    static ConflictRetry Retry(IPoolStore store, int seed)
    {
        var random = new Random(seed);
        return new ConflictRetry(store, Policy, new VirtualClock(), () => { lock (random) return random.NextDouble(); }, Log.Silent);
    }

    static async Task<Address> Add(IPoolStore store, Owner owner, int seed)
    {
        var request = new AddRequest(owner, Scope, []);
        var outcome = await Retry(store, seed).Run(Scope.PoolKeys, (pools, known) => Allocator.Decide(request, pools, known), default);
        return ((Outcome.Allocated)outcome.ThrowIfFail()).Leases.Single().Address;
    }

    static async Task Del(IPoolStore store, Owner owner, int seed)
    {
        var request = new DelRequest(owner.ContainerId, owner.IfName, Scope);
        (await Retry(store, seed).Run(Scope.PoolKeys, (pools, _) => Releaser.Decide(request, pools), default)).ThrowIfFail();
    }

    /// <summary>Pods 0..n-1 each ADD, then DEL when told, all at once; returns what each ADD got.</summary>
    static async Task<Address[]> RunPods(IPoolStore store, bool[] deletes, int seed) =>
        await Task.WhenAll(deletes.Select((delete, i) => Task.Run(async () =>
        {
            var got = await Add(store, Pod(i), seed + i);
            if (delete) await Del(store, Pod(i), seed + 1000 + i);
            return got;
        })));

    /// <summary>No address held twice; every pod that stayed holds the address its ADD returned; a deleted pod holds nothing.</summary>
    static async Task AssertPoolsAgree(InMemoryPoolStore store, bool[] deletes, Address[] got)
    {
        var pool = await store.LoadPool(Scope.PoolKeys[0], default);
        var allocations = pool.State.Allocations;
        Assert.Equal(allocations.Length, allocations.Select(a => a.Offset).Distinct().Count());
        var stayed = Enumerable.Range(0, deletes.Length).Where(i => !deletes[i]).ToArray();
        Assert.Equal(stayed.Length, stayed.Select(i => got[i]).Distinct().Count());
        foreach (var i in stayed)
            Assert.Contains(allocations, a => Scope.PoolKeys[0].Range.AddressAt(a.Offset) == got[i] && Ownership.SameAttachment(a.Owner, Pod(i)));
        foreach (var i in Enumerable.Range(0, deletes.Length).Where(i => deletes[i]))
            Assert.DoesNotContain(allocations, a => Ownership.SameAttachment(a.Owner, Pod(i)));
    }

    [Fact]
    public Task ConcurrentPodsUnderConflictsLeaveExactlyWhatTheyHold() =>
        Gen.Select(Gen.Bool.Array[1, 12], Conflicts, Gen.Int[0, 100000]).SampleAsync(async (deletes, script, seed) =>
        {
            var store = new InMemoryPoolStore();
            var got = await RunPods(new FaultyStore(store, script), deletes, seed);
            await AssertPoolsAgree(store, deletes, got);
            // Compensation left nothing behind: the reservations are exactly those of the pods that stayed.
            var reservations = await store.ListReservations("", default);
            Assert.Equal(
                Enumerable.Range(0, deletes.Length).Where(i => !deletes[i]).Select(i => $"{got[i]} {Pod(i)}").Order(StringComparer.Ordinal),
                reservations.Select(r => $"{ParseAddress(r.Name)} {r.Owner}").Order(StringComparer.Ordinal));
        }, iter: 100);

    [Fact]
    public Task ConcurrentPodsUnderOutagesAndLostAnswersNeverHoldAnAddressTwice() =>
        Gen.Select(Gen.Bool.Array[1, 12], Script, Gen.Int[0, 100000]).SampleAsync(async (deletes, script, seed) =>
        {
            var store = new InMemoryPoolStore();
            var got = await RunPods(new FaultyStore(store, script), deletes, seed);
            await AssertPoolsAgree(store, deletes, got);
            // A write whose answer was lost, or a DEL's reservation delete that failed after its pool write, may
            // leave a reservation behind: at worst an orphan, never a reservation of a pod that stayed held by someone else.
            var reservations = await store.ListReservations("", default);
            foreach (var i in Enumerable.Range(0, deletes.Length).Where(i => !deletes[i]))
                Assert.Contains(reservations, r => ParseAddress(r.Name) == got[i] && Ownership.SameAttachment(r.Owner, Pod(i)));
        }, iter: 100);

    [Fact]
    public Task ASingleAddWhoseStepsFailIsCompensatedAndRetriedUntilItHoldsOneAddress() =>
        Gen.Select(CleanScript, Gen.Int[0, 100000]).SampleAsync(async (script, seed) =>
        {
            var store = new InMemoryPoolStore();
            var got = await Add(new FaultyStore(store, script), Pod(0), seed);
            await AssertPoolsAgree(store, [false], [got]);
            var reservation = Assert.Single(await store.ListReservations("", default));
            Assert.Equal((got, Pod(0)), (ParseAddress(reservation.Name), reservation.Owner));
        }, iter: 200);

    /// <summary>A reservation's name is its address (IPv4 here, no network name).</summary>
    static Address ParseAddress(string name) => Address.Parse(name).ThrowIfFail();
}
