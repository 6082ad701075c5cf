using System.Collections.Immutable;
using CsCheck;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Core.Tests.Reclaim;

/// <summary>
/// The leak decision, run as the controller runs it (decide on the index, read the asked-for pods live,
/// decide again), against a model that knows each pod's true state: the index may lag or lie, the live read
/// is the truth.
/// </summary>
public sealed class LeakProperties
{
    static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    static readonly Gen<PodState> StateGen = Gen.Enum<PodState>();

    /// <summary>Pools of one /27 each; pods 0..11, some owners without a pod reference; each allocation seen some seconds ago (or never).</summary>
    static readonly Gen<Case> CaseGen =
        from poolCount in Gen.Int[1, 4]
        from allocations in Gen.Select(Gen.Int[0, poolCount - 1], Gen.Int[1, 30], Gen.Int[0, 12], Gen.Int[0, 3], Gen.Int[-1, 90]).Array[0, 40]
        from truth in StateGen.Array[13]
        from index in Gen.Select(Gen.Bool, StateGen).Array[13]
        select Build(poolCount, allocations, truth, index);

    sealed record Case(ImmutableArray<PoolSnapshot> Pools, ImmutableDictionary<Held, DateTimeOffset> Seen, PodState[] Truth, PodFact[] Index)
    {
        public PodState TruthOf(string podRef) => Truth[PodNumber(podRef)];
        public override string ToString() => string.Join("; ", Pools.Select(p => $"{p.Key.Name}: {string.Join(",", p.State.Allocations.Select(a => $"{a.Offset}:{a.Owner.PodRef}/{a.Owner.ContainerId}"))}"))
            + $" truth [{string.Join(",", Truth)}] index [{string.Join(",", Index.Select(i => i.State))}]";
    }

    static int PodNumber(string podRef) => int.Parse(podRef["ns/pod-".Length..]);

    static Case Build(int poolCount, (int Pool, int Offset, int Pod, int Sandbox, int SeenSecondsAgo)[] allocations, PodState[] truth, (bool Known, PodState State)[] index)
    {
        var pools = Enumerable.Range(0, poolCount).Select(i =>
        {
            var range = new Cidr(new Address(IpFamily.V4, 0x0A000000u + (uint)(i << 8)), 27);
            var held = allocations.Where(a => a.Pool == i).DistinctBy(a => a.Offset)
                .Select(a => new Allocation((UInt128)a.Offset, new Owner($"c{a.Pod}-{a.Sandbox}", a.Pod == 12 ? "" : $"ns/pod-{a.Pod}", "net1")));
            return new PoolSnapshot(PoolKey.For(range, ""), new StoreVersion("7"), PoolState.Of(range, held));
        }).ToImmutableArray();
        var seen = pools.SelectMany(p => p.State.Allocations.Select(a => (Held: new Held(p.Key.Name, a), Ago: allocations.First(x => x.Offset == (int)a.Offset && PoolKey.For(new Cidr(new Address(IpFamily.V4, 0x0A000000u + (uint)(x.Pool << 8)), 27), "").Name == p.Key.Name).SeenSecondsAgo)))
            .Where(x => x.Ago >= 0)
            .ToImmutableDictionary(x => x.Held, x => Now - TimeSpan.FromSeconds(x.Ago));
        // The index: what the watch says (possibly stale), or nothing heard of the pod.
        var facts = index.Select(i => i.Known ? new PodFact(i.State, false) : PodFact.NotIndexed).ToArray();
        return new Case(pools, seen, truth, facts);
    }

    /// <summary>The controller's two rounds: on the index, then with the pods it asked about read live.</summary>
    static LeakVerdicts Sweep(Case c)
    {
        PodFact Indexed(string podRef) => c.Index[PodNumber(podRef)];
        var first = Leaks.Decide(c.Pools, Indexed, c.Seen, Now, Grace);
        var live = first.Confirm.ToDictionary(p => p, p => new PodFact(c.TruthOf(p), Confirmed: true));
        return Leaks.Decide(c.Pools, p => live.TryGetValue(p, out var f) ? f : Indexed(p), c.Seen, Now, Grace);
    }

    [Fact]
    public void NeverReleasesAnAllocationWhosePodIsLive() =>
        CaseGen.Sample(c => Sweep(c).Release.All(l => c.TruthOf(l.Allocation.Owner.PodRef) != PodState.Live));

    [Fact]
    public void ReleasesExactlyWhatTheModelSaysOnceTheIndexHasHeard()
    {
        // Where the index has heard the truth (its lag is over), the sweep releases exactly: terminal pods'
        // allocations, and gone pods' allocations seen for at least the grace period.
        CaseGen.Select(c => c with { Index = c.Truth.Select(t => new PodFact(t, false)).ToArray() }).Sample(c =>
        {
            var expected = c.Pools.SelectMany(p => p.State.Allocations.Where(a => a.Owner.PodRef.Length > 0 && c.TruthOf(a.Owner.PodRef) switch
                {
                    PodState.Terminal => true,
                    PodState.Gone => c.Seen.TryGetValue(new Held(p.Key.Name, a), out var since) && Now - since >= Grace,
                    _ => false,
                }).Select(a => (p.Key.Name, a))).ToHashSet();
            var released = Sweep(c).Release.Select(l => (l.Pool.Name, l.Allocation)).ToHashSet();
            Assert.True(expected.SetEquals(released), $"expected {expected.Count}, released {released.Count}");
        });
    }

    [Fact]
    public void NothingIsReleasedOnTheIndexAlone() =>
        CaseGen.Sample(c => Leaks.Decide(c.Pools, p => c.Index[PodNumber(p)], c.Seen, Now, Grace).Release.IsEmpty);

    [Fact]
    public void EverySightingIsKeptAndNewOnesStartNow() =>
        CaseGen.Sample(c =>
        {
            var seen = Sweep(c).Seen;
            return c.Pools.All(p => p.State.Allocations.All(a =>
                seen[new Held(p.Key.Name, a)] == (c.Seen.TryGetValue(new Held(p.Key.Name, a), out var s) ? s : Now)))
                && seen.Count == c.Pools.Sum(p => p.State.Allocations.Length);
        });

    [Fact]
    public void TheNextSweepIsDueWhenTheFirstWaitingAllocationComesOfAge() =>
        CaseGen.Sample(c =>
        {
            var verdicts = Leaks.Decide(c.Pools, p => c.Index[PodNumber(p)], c.Seen, Now, Grace);
            var waiting = c.Pools.SelectMany(p => p.State.Allocations.Select(a => (Held: new Held(p.Key.Name, a), a.Owner.PodRef)))
                .Where(x => x.PodRef.Length > 0 && c.Index[PodNumber(x.PodRef)].State == PodState.Gone)
                .Select(x => verdicts.Seen[x.Held] + Grace).Where(t => t > Now).ToList();
            return verdicts.NextDue == (waiting.Count == 0 ? null : waiting.Min());
        });

    [Fact]
    public void AnAllocationOfAPodReCreatedWithTheSameNameIsNotTheOneJudged()
    {
        var range = new Cidr(new Address(IpFamily.V4, 0x0A000000), 27);
        var key = PoolKey.For(range, "");
        var old = new Allocation(5, new Owner("old-sandbox", "ns/web-0", "net1"));
        var renewed = old with { Owner = old.Owner with { ContainerId = "new-sandbox" } };
        var pool = new PoolSnapshot(key, new StoreVersion("9"), PoolState.Of(range, [renewed]));
        var plan = ReclaimPlan.For(pool, [old], [new ReservationEntry("10.0.0.5", new Owner("", "ns/web-0", "net1"))]);
        Assert.True(plan.IsEmpty);
    }
}
