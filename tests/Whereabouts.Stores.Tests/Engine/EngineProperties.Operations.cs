using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Xunit;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>The operations of a run, each checked against the model as it runs.</summary>
public sealed partial class EngineProperties
{
    static async Task Add(World w, AddOp op)
    {
        if (op.NewSandbox) w.Generation[World.PodIndexOf(op.Attachment)]++;
        var owner = w.OwnerOf(op.Attachment);
        var scope = w.ScopeOf(op.Attachment);
        var requested = RequestedAddress(scope, op.Request);
        var before = await w.Store.Describe(withContainers: false);
        var expected = await ExpectedAdd(w.Store, scope, owner, requested, await w.Store.AllReservations());
        var request = new AddRequest(owner, scope, requested.ToImmutableArray());
        var (result, known) = await RunAdd(w, request, op.LearnReservations, op.CrashBefore);

        if (result.Case is Plan plan)
        {
            var leases = LeasesOf(plan);
            expected.Match(
                Left: code => Assert.Fail($"ADD {owner} should fail with {code} but got {string.Join(",", leases)}"),
                Right: addresses => Assert.Equal(addresses, leases.Map(l => l.Address).ToArray()));
            await AssertHolds(w, scope, owner, leases);
            await AssertAddIsIdempotent(w, request, leases);
            Assert.True(Checker.Decide(new CheckRequest(owner.ContainerId, owner.IfName, scope, leases.Select(l => l.Address).ToImmutableArray()), await w.Store.Load(scope)).IsSucc);
        }
        else
        {
            var error = (LanguageExt.Common.Error)result.Case!;
            // A shell that learns reservations from conflicts fails on what it knows by then: a range may look
            // free that is not, so the first failing range can be a later one.
            if (op.LearnReservations) expected = await ExpectedAdd(w.Store, scope, owner, requested, known);
            if (!CrashingStore.IsCrash(error))
                expected.Match(
                    Left: code => Assert.True(code == error.Code, $"ADD {owner} requesting {requested} should fail with {code} but failed with {error.Code}: {error.Message}\nstore:\n{before}"),
                    Right: addresses => Assert.Fail($"ADD {owner} should give {string.Join(",", addresses)} but failed: {error.Message}"));
            Assert.Equal(before, await w.Store.Describe(withContainers: false));
        }
    }

    static async Task Del(World w, DelOp op)
    {
        var current = w.Generation[World.PodIndexOf(op.Attachment)];
        var generation = op.Stale ? current - 1 : current;
        var containerId = generation < 0 ? "never-seen" : World.ContainerOf(op.Attachment, generation);
        var ifName = World.IfNameOf(op.Attachment);
        var scope = w.ScopeOf(op.Attachment);
        var plan = Releaser.Decide(new DelRequest(containerId, ifName, scope), await w.Store.Load(scope));
        // Entries upstream wrote before it stored interface names have none, and go with their container.
        await ApplyRelease(w, scope, plan, a => a.Owner.ContainerId == containerId && (a.Owner.IfName.Length == 0 || a.Owner.IfName == ifName));
        if (!op.Stale)
            Checker.Decide(new CheckRequest(containerId, ifName, scope, ImmutableArray<Address>.Empty), await w.Store.Load(scope)).Match(
                Succ: _ => Assert.Fail("CHECK after DEL should find nothing"),
                Fail: e => Assert.Equal(Errors.AllocationMissingCode, e.Code));
    }

    static async Task Gc(World w, GcOp op)
    {
        var scope = w.Scopes[op.Scope % w.Scopes.Length];
        var valid = Enumerable.Range(0, EngineGens.AttachmentCount).Where(i => op.Valid[i])
            .Select(i => new Attachment(w.CurrentContainerOf(i), World.IfNameOf(i))).ToImmutableArray();
        var plan = Releaser.Collect(new GcRequest(valid, scope, new GcOwnership.AllLocal()), await w.Store.Load(scope));
        await ApplyRelease(w, scope, plan, a => !valid.Exists(v => v.ContainerId == a.Owner.ContainerId && v.IfName == a.Owner.IfName));
    }

    static async Task AddThenDel(World w, AddDelOp op)
    {
        var scope = w.Scopes[op.Scope % w.Scopes.Length];
        var n = ++w.Fresh;
        var owner = new Owner($"fresh-{n}", $"ns/fresh-{n}", "net1");
        var before = await w.Store.Describe();
        var (added, _) = await RunAdd(w, new AddRequest(owner, scope, ImmutableArray<Address>.Empty), learn: n % 2 == 0, crashBefore: null);
        if (added.IsSucc)
        {
            Assert.NotEqual(before, await w.Store.Describe());
            var del = Releaser.Decide(new DelRequest(owner.ContainerId, owner.IfName, scope), await w.Store.Load(scope));
            Assert.IsType<Execution.Completed>(await w.Store.Execute(del));
        }
        Assert.Equal(before, await w.Store.Describe());
    }

    /// <summary>
    /// Two ADDs at once through the real loop, their store calls interleaved, the first by a shell that has read every reservation, the second by
    /// one that learns them. Model: each ADD that succeeded holds its leases, one that failed found a range
    /// exhausted, and the store holds what it held before plus exactly what the successful ADDs got.
    /// </summary>
    static async Task Race(World w, RaceOp op)
    {
        var first = new AddRequest(w.OwnerOf(op.First), w.ScopeOf(op.First), ImmutableArray<Address>.Empty);
        var second = new AddRequest(w.OwnerOf(op.Second), w.ScopeOf(op.Second), ImmutableArray<Address>.Empty);
        var before = await Holdings(w.Store);
        var all = await w.Store.AllReservations();
        var seed = ++w.Fresh;
        var store = new InterleavingStore(w.Store);
        var runs = await Task.WhenAll(
            Task.Run(() => RealShell.Add(store, first, all, seed)),
            Task.Run(() => RealShell.Add(store, second, KnownReservations.None, seed + 1)));
        var expected = before.ToHashSet();
        foreach (var (request, run) in new[] { first, second }.Zip(runs))
        {
            if (run.Result.IsSucc)
            {
                var leases = LeasesOf(run.Plan!);
                await AssertHolds(w, request.Scope, request.Owner, leases);
                expected.UnionWith(HoldingsOf(request.Scope, request.Owner, leases));
            }
            else
                run.Result.IfFail(e => Assert.True(e.Code == Errors.RangeExhaustedCode, $"race ADD {request.Owner} failed: {e.Code} {e.Message}"));
        }
        Assert.Equal(expected.Order(StringComparer.Ordinal), (await Holdings(w.Store)).Order(StringComparer.Ordinal));
    }

    /// <summary>Executes a DEL or GC plan and checks it released exactly the allocations <paramref name="released"/> picks.</summary>
    static async Task ApplyRelease(World w, NetworkScope scope, Plan plan, Func<Allocation, bool> released)
    {
        Assert.DoesNotContain(plan.Ops, o => o is StoreOp.CreatePool or StoreOp.CreateReservation);
        if (!scope.OverlappingRanges) Assert.DoesNotContain(plan.Ops, o => o is StoreOp.DeleteReservation);
        var inScope = scope.PoolKeys.Map(k => k.Name).ToHashSet();
        var pools = await w.Store.Pools();
        var before = pools.ToDictionary(p => p.Key.Name, p => p.State.Allocations.ToArray());
        var expectedGone = pools.Where(p => inScope.Contains(p.Key.Name)).OrderBy(p => p.Key.Name, StringComparer.Ordinal)
            .SelectMany(p => p.State.Allocations.Where(released).Select(a => (Pool: p.Key, Allocation: a))).ToArray();

        Assert.True(await w.Store.Execute(plan) is Execution.Completed, "a release plan on a fresh snapshot must apply");

        var outcome = Assert.IsType<Outcome.Released>(plan.Outcome);
        Assert.Equal(expectedGone.Select(g => g.Pool.Range.AddressAt(g.Allocation.Offset)), outcome.Addresses.ToArray());
        var after = (await w.Store.Pools()).ToDictionary(p => p.Key.Name);
        foreach (var (name, allocations) in before)
        {
            var now = after[name].State.Allocations.ToArray();
            Assert.Equal(inScope.Contains(name) ? allocations.Where(a => !released(a)).ToArray() : allocations, now);
        }
        var reservations = (await w.Store.Reservations()).ToDictionary(r => r.Name, r => r.Owner);
        foreach (var (pool, allocation) in expectedGone)
            if (reservations.TryGetValue(ReservationKey.For(pool.Range.AddressAt(allocation.Offset), scope.NetworkName).Name, out var r))
                Assert.False(SamePodInterface(r, allocation.Owner), $"reservation of released {pool.Range.AddressAt(allocation.Offset)} is still held by its owner");
    }
}
