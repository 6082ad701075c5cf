using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Engine;

/// <summary>
/// Random runs of ADD, DEL, GC, requested addresses, crashes and races against <see cref="InMemoryStore"/>,
/// with the engine's invariants checked after every step and each ADD compared with a model of "lowest free".
/// Ranges are small and overlap on purpose (two network configurations may share a pool, or use overlapping
/// pools), so exhaustion, reservations and conflicts all happen.
/// </summary>
public sealed class EngineProperties
{
    static Cidr C(string text) => Cidr.Parse(text).ThrowIfFail();

    static Address A(string text) => Address.Parse(text).ThrowIfFail();

    static RangeSpec R(string range, string? start = null, string? end = null, params string[] exclude) =>
        new(C(range), start is null ? Option<Address>.None : A(start), end is null ? Option<Address>.None : A(end),
            exclude.Select(C).ToImmutableArray());

    /// <summary>The ranges runs draw from. 0 and 3 share a pool; 0, 1 and 2 overlap; so do 4, 5 and 6.</summary>
    static readonly RangeSpec[] RangeCatalogue =
    [
        R("10.0.0.0/28"),
        R("10.0.0.0/29"),
        R("10.0.0.9/29", "10.0.0.10", "10.0.0.13"),
        R("10.0.0.0/28", "10.0.0.4", null, "10.0.0.6/31"),
        R("fd00::/125"),
        R("fd00::/64", "fd00::8000:0:0:0", "fd00::8000:0:0:5"),
        R("fd00::/126"),
    ];

    /// <summary>Network configurations: lists of catalogue ranges, dual stack in 2, 3 and 5.</summary>
    static readonly int[][] ScopeCatalogue = [[0], [1], [2, 4], [3, 5], [4], [6, 2]];

    static readonly Error Crashed = Error.New(-1, "the shell crashed part-way through the plan");

    sealed class World
    {
        public World(EngineRun run)
        {
            Run = run;
            Scopes = run.Scopes.Select(s => new NetworkScope(
                ScopeCatalogue[s].Select(r => RangeCatalogue[r]).ToImmutableArray(), run.NetworkName, run.Overlapping)).ToArray();
        }

        public EngineRun Run { get; }
        public InMemoryStore Store { get; } = new();
        public NetworkScope[] Scopes { get; }
        /// <summary>Sandbox generation per pod: all interfaces of a pod share its sandbox's container ID.</summary>
        public int[] Generation { get; } = new int[(Gens.AttachmentCount + 1) / 2];
        public int Fresh { get; set; }

        public NetworkScope ScopeOf(int attachment) => Scopes[Run.AttachmentScope[attachment]];

        public static int PodIndexOf(int attachment) => attachment / 2;

        public static string PodOf(int attachment) => $"ns/pod-{PodIndexOf(attachment)}";

        public static string IfNameOf(int attachment) => $"net{attachment % 2 + 1}";

        public static string ContainerOf(int attachment, int generation) => $"c{PodIndexOf(attachment)}-{generation}";

        public string CurrentContainerOf(int attachment) => ContainerOf(attachment, Generation[PodIndexOf(attachment)]);

        public Owner OwnerOf(int attachment) => new(CurrentContainerOf(attachment), PodOf(attachment), IfNameOf(attachment));
    }

    [Fact]
    public void RandomRunsKeepEveryEngineInvariant() =>
        Gens.EngineRun.Sample(run =>
        {
            var world = new World(run);
            foreach (var op in run.Ops)
            {
                Step(world, op);
                CheckInvariants(world);
            }
        });

    static void Step(World w, EngineOp op)
    {
        switch (op)
        {
            case AddOp add: Add(w, add); break;
            case DelOp del: Del(w, del); break;
            case GcOp gc: Gc(w, gc); break;
            case AddDelOp addDel: AddThenDel(w, addDel); break;
            case RaceOp race: Race(w, race); break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    // ---- the shell, reduced to its loop -------------------------------------------------------------------

    /// <summary>Decide, execute, and on a conflict learn or reload and decide again, as ConflictRetry does.</summary>
    static (Fin<Plan> Result, KnownReservations Known) RunAdd(InMemoryStore store, AddRequest request, bool learn, int? crashBefore)
    {
        var known = learn ? KnownReservations.None : store.AllReservations();
        for (var attempt = 1; attempt <= 100; attempt++)
        {
            var decided = Allocator.Decide(request, store.Load(request.Scope), known);
            if (decided.IsFail) return (decided, known);
            var plan = decided.ThrowIfFail();
            AssertAddPlanShape(plan, request);
            var executed = store.Execute(plan, crashBefore);
            if (executed.Applied) return (plan, known);
            if (executed.FailedAt is null) return (Crashed, known);
            if (executed.FailedAt is StoreOp.CreateReservation cr)
                known = known.With(cr.Key, store.Reservations[cr.Key.Name].Owner);
        }
        throw new InvalidOperationException($"ADD for {request.Owner} did not settle in 100 attempts");
    }

    static void AssertAddPlanShape(Plan plan, AddRequest request)
    {
        var ops = plan.Ops.ToArray();
        var firstPoolWrite = Array.FindIndex(ops, o => o is StoreOp.CreatePool or StoreOp.ReplacePool);
        var lastReservation = Array.FindLastIndex(ops, o => o is StoreOp.CreateReservation);
        Assert.True(firstPoolWrite < 0 || lastReservation < firstPoolWrite, "reservations must be created before pools are written");
        Assert.DoesNotContain(ops, o => o is StoreOp.DeleteReservation);
        if (!request.Scope.OverlappingRanges) Assert.DoesNotContain(ops, o => o is StoreOp.CreateReservation);
        foreach (var step in plan.Steps)
        {
            if (step.Do is StoreOp.CreateReservation cr)
                Assert.Equal([new Undo.Write(new StoreOp.DeleteReservation(cr.Key, cr.Owner))], step.Undo.ToArray());
            else
                Assert.All(step.Undo, u => Assert.IsType<Undo.Unallocate>(u));
        }
        var poolNames = ops.OfType<StoreOp.CreatePool>().Select(p => p.Pool.Name).Concat(ops.OfType<StoreOp.ReplacePool>().Select(p => p.Pool.Name)).ToArray();
        Assert.Equal(poolNames.Distinct().Count(), poolNames.Length);
    }

    // ---- operations ---------------------------------------------------------------------------------------

    static void Add(World w, AddOp op)
    {
        if (op.NewSandbox) w.Generation[World.PodIndexOf(op.Attachment)]++;
        var owner = w.OwnerOf(op.Attachment);
        var scope = w.ScopeOf(op.Attachment);
        var requested = RequestedAddress(scope, op.Request);
        var before = w.Store.Describe(withContainers: false);
        var expected = ExpectedAdd(w.Store, scope, owner, requested, w.Store.AllReservations());
        var request = new AddRequest(owner, scope, requested.ToImmutableArray());
        var (result, known) = RunAdd(w.Store, request, op.LearnReservations, op.CrashBefore);

        result.Match(
            Succ: plan =>
            {
                var leases = LeasesOf(plan);
                expected.Match(
                    Left: code => Assert.Fail($"ADD {owner} should fail with {code} but got {string.Join(",", leases)}"),
                    Right: addresses => Assert.Equal(addresses, leases.Map(l => l.Address).ToArray()));
                AssertHolds(w, scope, owner, leases);
                AssertAddIsIdempotent(w, request, leases);
                Assert.True(Checker.Decide(new CheckRequest(owner.ContainerId, owner.IfName, scope, leases.Map(l => l.Address)), w.Store.Load(scope)).IsSucc);
            },
            Fail: error =>
            {
                // A shell that learns reservations from conflicts fails on what it knows by then: a range may look
                // free that is not, so the first failing range can be a later one.
                if (op.LearnReservations) expected = ExpectedAdd(w.Store, scope, owner, requested, known);
                if (error != Crashed)
                    expected.Match(
                        Left: code => Assert.True(code == error.Code, $"ADD {owner} requesting {requested} should fail with {code} but failed with {error.Code}: {error.Message}\nstore:\n{before}"),
                        Right: addresses => Assert.Fail($"ADD {owner} should give {string.Join(",", addresses)} but failed: {error.Message}"));
                Assert.Equal(before, w.Store.Describe(withContainers: false));
            });
    }

    static void Del(World w, DelOp op)
    {
        var current = w.Generation[World.PodIndexOf(op.Attachment)];
        var generation = op.Stale ? current - 1 : current;
        var containerId = generation < 0 ? "never-seen" : World.ContainerOf(op.Attachment, generation);
        var ifName = World.IfNameOf(op.Attachment);
        var scope = w.ScopeOf(op.Attachment);
        var plan = Releaser.Decide(new DelRequest(containerId, ifName, scope), w.Store.Load(scope));
        // Entries upstream wrote before it stored interface names have none, and go with their container.
        ApplyRelease(w, scope, plan, a => a.Owner.ContainerId == containerId && (a.Owner.IfName.Length == 0 || a.Owner.IfName == ifName));
        if (!op.Stale)
            Checker.Decide(new CheckRequest(containerId, ifName, scope, ImmutableArray<Address>.Empty), w.Store.Load(scope)).Match(
                Succ: _ => Assert.Fail("CHECK after DEL should find nothing"),
                Fail: e => Assert.Equal(Errors.AllocationMissingCode, e.Code));
    }

    static void Gc(World w, GcOp op)
    {
        var scope = w.Scopes[op.Scope % w.Scopes.Length];
        var valid = Enumerable.Range(0, Gens.AttachmentCount).Where(i => op.Valid[i])
            .Select(i => new Attachment(w.CurrentContainerOf(i), World.IfNameOf(i))).ToImmutableArray();
        var plan = Releaser.Collect(new GcRequest(valid, scope, new GcOwnership.AllLocal()), w.Store.Load(scope));
        ApplyRelease(w, scope, plan, a => !valid.Exists(v => v.ContainerId == a.Owner.ContainerId && v.IfName == a.Owner.IfName));
    }

    static void AddThenDel(World w, AddDelOp op)
    {
        var scope = w.Scopes[op.Scope % w.Scopes.Length];
        var n = ++w.Fresh;
        var owner = new Owner($"fresh-{n}", $"ns/fresh-{n}", "net1");
        var before = w.Store.Describe();
        var (added, _) = RunAdd(w.Store, new AddRequest(owner, scope, ImmutableArray<Address>.Empty), learn: n % 2 == 0, crashBefore: null);
        if (added.IsSucc)
        {
            Assert.NotEqual(before, w.Store.Describe());
            var del = Releaser.Decide(new DelRequest(owner.ContainerId, owner.IfName, scope), w.Store.Load(scope));
            Assert.True(w.Store.Execute(del).Applied);
        }
        Assert.Equal(before, w.Store.Describe());
    }

    static void Race(World w, RaceOp op)
    {
        var first = new AddRequest(w.OwnerOf(op.First), w.ScopeOf(op.First), ImmutableArray<Address>.Empty);
        var second = new AddRequest(w.OwnerOf(op.Second), w.ScopeOf(op.Second), ImmutableArray<Address>.Empty);
        var early = Allocator.Decide(second, w.Store.Load(second.Scope), w.Store.AllReservations());
        var (firstResult, _) = RunAdd(w.Store, first, learn: false, crashBefore: null);
        var secondResult = early.Bind(plan => w.Store.Execute(plan).Applied ? Fin<Plan>.Succ(plan) : Crashed);
        if (secondResult.IsFail) secondResult = RunAdd(w.Store, second, learn: true, crashBefore: null).Result;
        firstResult.IfSucc(plan => AssertHolds(w, first.Scope, first.Owner, LeasesOf(plan)));
        secondResult.IfSucc(plan => AssertHolds(w, second.Scope, second.Owner, LeasesOf(plan)));
    }

    /// <summary>Executes a DEL or GC plan and checks it released exactly the allocations <paramref name="released"/> picks.</summary>
    static void ApplyRelease(World w, NetworkScope scope, Plan plan, Func<Allocation, bool> released)
    {
        Assert.DoesNotContain(plan.Ops, o => o is StoreOp.CreatePool or StoreOp.CreateReservation);
        if (!scope.OverlappingRanges) Assert.DoesNotContain(plan.Ops, o => o is StoreOp.DeleteReservation);
        var inScope = scope.PoolKeys.Map(k => k.Name).ToHashSet();
        var before = w.Store.Pools.Values.ToDictionary(p => p.Key.Name, p => p.State.Allocations.ToArray());
        var expectedGone = w.Store.Pools.Values.Where(p => inScope.Contains(p.Key.Name)).OrderBy(p => p.Key.Name, StringComparer.Ordinal)
            .SelectMany(p => p.State.Allocations.Where(released).Select(a => (Pool: p.Key, Allocation: a))).ToArray();

        Assert.True(w.Store.Execute(plan).Applied, "a release plan on a fresh snapshot must apply");

        var outcome = Assert.IsType<Outcome.Released>(plan.Outcome);
        Assert.Equal(expectedGone.Select(g => g.Pool.Range.AddressAt(g.Allocation.Offset)), outcome.Addresses.ToArray());
        foreach (var (name, allocations) in before)
        {
            var now = w.Store.Pools[name].State.Allocations.ToArray();
            Assert.Equal(inScope.Contains(name) ? allocations.Where(a => !released(a)).ToArray() : allocations, now);
        }
        foreach (var (pool, allocation) in expectedGone)
            if (w.Store.Reservations.TryGetValue(ReservationKey.For(pool.Range.AddressAt(allocation.Offset), scope.NetworkName).Name, out var r))
                Assert.False(SamePodInterface(r.Owner, allocation.Owner), $"reservation of released {pool.Range.AddressAt(allocation.Offset)} is still held by its owner");
    }

    // ---- models and checks --------------------------------------------------------------------------------

    static Option<Address> RequestedAddress(NetworkScope scope, Request request)
    {
        var range = scope.Ranges[request.Range % scope.Ranges.Length];
        return request.Kind switch
        {
            RequestKind.None => Option<Address>.None,
            RequestKind.Outside => range.Network.Family == IpFamily.V4 ? A("192.0.2.1") : A("2001:db8::1"),
            _ => range.Network.AddressAt(Near(Allocatable.Of(range).ThrowIfFail().Intervals[0].Lo, request.Delta)),
        };
    }

    /// <summary><paramref name="first"/> moved by <paramref name="delta"/>, stopping at 0.</summary>
    static UInt128 Near(UInt128 first, int delta) =>
        delta >= 0 ? first + (UInt128)delta : first - UInt128.Min(first, (UInt128)(-delta));

    static IEnumerable<UInt128> Members(RangeSpec range)
    {
        foreach (var iv in Allocatable.Of(range).ThrowIfFail().Intervals)
            for (var o = iv.Lo; o <= iv.Hi; o++) yield return o;
    }

    /// <summary>
    /// What ADD must do, range by range in order: the address already held; else the requested address if it is
    /// allocatable, free and not reserved by another pod (else 102 or 101); else the lowest allocatable offset
    /// that is free and not reserved by another pod (else 100). A request outside every range is 102.
    /// </summary>
    static Either<int, Address[]> ExpectedAdd(InMemoryStore store, NetworkScope scope, Owner owner, Option<Address> requested, KnownReservations known)
    {
        var leases = new List<Address>();
        foreach (var range in scope.Ranges)
        {
            var key = PoolKey.For(range.Range, scope.NetworkName);
            var allocations = store.StateOf(key).Allocations;
            bool Taken(UInt128 offset) => allocations.Any(a => a.Offset == offset);
            bool ReservedByOther(Address a) => scope.OverlappingRanges
                && known.Owners.Find(ReservationKey.For(a, scope.NetworkName).Name).Exists(r => !SamePodInterface(r, owner));
            var held = allocations.FirstOrDefault(a => SamePodInterface(a.Owner, owner));
            if (held is not null) { leases.Add(key.Range.AddressAt(held.Offset)); continue; }
            var wanted = requested.Filter(a => range.Network.Contains(a));
            if (wanted.IsSome)
            {
                var a = wanted.IfNone(default(Address));
                var offset = a.Value - range.Network.Network.Value;
                if (!Members(range).Contains(offset)) return 102;
                if (Taken(offset) || ReservedByOther(a)) return 101;
                leases.Add(a);
                continue;
            }
            var free = Members(range).Where(o => !Taken(o) && !ReservedByOther(range.Network.AddressAt(o))).Select(o => (UInt128?)o).FirstOrDefault();
            if (free is null) return 100;
            leases.Add(range.Network.AddressAt(free.Value));
        }
        if (requested.Exists(a => !scope.Ranges.Exists(r => r.Network.Contains(a)))) return 102;
        return leases.ToArray();
    }

    static bool SamePodInterface(Owner a, Owner b) => a.PodRef == b.PodRef && a.IfName == b.IfName;

    static ImmutableArray<Lease> LeasesOf(Plan plan) => Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases;

    /// <summary>The store records each lease for exactly this owner (new container ID included), with its reservation.</summary>
    static void AssertHolds(World w, NetworkScope scope, Owner owner, ImmutableArray<Lease> leases)
    {
        Assert.Equal(scope.Ranges.Length, leases.Length);
        foreach (var (range, lease) in scope.Ranges.Zip(leases))
        {
            Assert.Equal(range.Network, lease.Range);
            var key = PoolKey.For(range.Range, scope.NetworkName);
            var held = w.Store.StateOf(key).At(key.Range.OffsetOf(lease.Address).IfNone(() => throw new InvalidOperationException($"{lease} outside {key.Range}")));
            Assert.Equal(owner, held?.Owner);
            if (scope.OverlappingRanges)
                Assert.True(w.Store.Reservations.TryGetValue(ReservationKey.For(lease.Address, scope.NetworkName).Name, out var r) && SamePodInterface(r.Owner, owner),
                    $"{lease.Address} has no reservation for {owner}");
        }
    }

    static void AssertAddIsIdempotent(World w, AddRequest request, ImmutableArray<Lease> leases)
    {
        var again = Allocator.Decide(request, w.Store.Load(request.Scope), w.Store.AllReservations()).ThrowIfFail();
        Assert.True(again.IsEmpty, $"a repeated ADD must write nothing, but planned {string.Join(", ", again.Ops)}");
        Assert.Equal(leases.ToArray(), LeasesOf(again).ToArray());
    }

    static void CheckInvariants(World w)
    {
        var allocatable = w.Scopes.SelectMany(s => s.Ranges)
            .GroupBy(r => PoolKey.For(r.Range, w.Run.NetworkName).Name)
            .ToDictionary(g => g.Key, g => g.Select(r => Allocatable.Of(r).ThrowIfFail()).ToArray());
        var holders = new Dictionary<Address, Owner>();
        foreach (var pool in w.Store.Pools.Values)
        {
            Assert.Equal(pool.Key.Range, pool.State.Range);
            Assert.Equal(pool.State.Allocations.Select(a => a.Offset).ToArray(), pool.State.Used.Offsets().ToArray());
            foreach (var a in pool.State.Allocations)
            {
                Assert.True(allocatable[pool.Key.Name].Any(set => set.Contains(a.Offset)),
                    $"{pool.Key.Range.AddressAt(a.Offset)} in {pool.Key.Name} is outside every range that uses the pool");
                Assert.Single(pool.State.Allocations, b => SamePodInterface(b.Owner, a.Owner));
                var address = pool.Key.Range.AddressAt(a.Offset);
                if (w.Run.Overlapping)
                    Assert.True(holders.TryAdd(address, a.Owner), $"{address} is held twice: by {a.Owner} and by {holders.GetValueOrDefault(address)}");
            }
        }
        if (!w.Run.Overlapping)
        {
            Assert.Empty(w.Store.Reservations);
            return;
        }
        var reserved = w.Store.Reservations.ToDictionary(r => r.Key, r => r.Value.Owner);
        Assert.Equal(holders.Keys.Select(a => ReservationKey.For(a, w.Run.NetworkName).Name).Order(StringComparer.Ordinal), reserved.Keys.Order(StringComparer.Ordinal));
        foreach (var (address, owner) in holders)
            Assert.True(SamePodInterface(reserved[ReservationKey.For(address, w.Run.NetworkName).Name], owner), $"the reservation of {address} is not {owner}'s");
    }
}
