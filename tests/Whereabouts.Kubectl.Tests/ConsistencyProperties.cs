using System.Collections.Immutable;
using CsCheck;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Kubectl.Model;

namespace Whereabouts.Kubectl.Tests;

/// <summary>
/// <c>check</c>'s findings against a model that states each rule over a small world directly: two networks
/// ("" and "blue"), two overlapping ranges each (10.0.0.0/29 and /28), offsets up to past the end of the
/// larger range, five pods that are running, terminated or gone, and reservations named for either network.
/// </summary>
public sealed class ConsistencyProperties
{
    static readonly string[] Networks = ["", "blue"];
    static readonly Cidr[] Ranges = [Cidr.Parse("10.0.0.0/29").ThrowIfFail(), Cidr.Parse("10.0.0.0/28").ThrowIfFail()];
    static readonly string[] Phases = ["", "Running", "Succeeded"]; // "" : the pod does not exist

    sealed record Slot(int Network, int Range, int Offset, int Pod, int If);
    sealed record Reserved(int Network, int Offset, int Pod, int If);
    sealed record World(Slot[] Slots, Reserved[] Reservations, string[] Pods);

    static readonly Gen<World> WorldGen =
        from slots in Gen.Select(Gen.Int[0, 1], Gen.Int[0, 1], Gen.Int[0, 17], Gen.Int[0, 4], Gen.Int[0, 1]).Select((n, r, o, p, i) => new Slot(n, r, o, p, i)).Array[0, 14]
        from reserved in Gen.Select(Gen.Int[0, 1], Gen.Int[0, 15], Gen.Int[0, 4], Gen.Int[0, 1]).Select((n, o, p, i) => new Reserved(n, o, p, i)).Array[0, 10]
        from pods in Gen.Int[0, 2].Select(i => Phases[i]).Array[5]
        select new World(
            slots.DistinctBy(s => (s.Network, s.Range, s.Offset)).ToArray(),
            reserved.DistinctBy(r => (r.Network, r.Offset)).ToArray(),
            pods);

    static Owner OwnerOf(int pod, int ifname, string container) => new(container, $"ns/p{pod}", $"net{ifname}");
    static PoolKey Key(int network, int range) => PoolKey.For(Ranges[range], Networks[network]);
    static Address At(int offset) => Ranges[1].AddressAt((UInt128)offset);
    static bool Usable(Slot s) => s.Offset >= 1 && (UInt128)s.Offset < Ranges[s.Range].LastOffset;
    static bool InRange(Slot s) => (UInt128)s.Offset <= Ranges[s.Range].LastOffset;

    static ClusterView View(World w) => new(
        [.. from n in Enumerable.Range(0, 2) from r in Enumerable.Range(0, 2)
            select new PoolSnapshot(Key(n, r), new StoreVersion("1"), PoolState.Of(Ranges[r],
                w.Slots.Where(s => s.Network == n && s.Range == r).Select(s => new Allocation((UInt128)s.Offset, OwnerOf(s.Pod, s.If, $"c{s.Pod}")))))],
        [.. w.Reservations.Select(r => new ReservationEntry(ReservationKey.For(At(r.Offset), Networks[r.Network]).Name, OwnerOf(r.Pod, r.If, "")))],
        Enumerable.Range(0, 5).Where(i => w.Pods[i].Length > 0).ToImmutableDictionary(i => $"ns/p{i}", i => new PodInfo($"ns/p{i}", "node", w.Pods[i], null)),
        []);

    static IEnumerable<(FindingKind, string, string)> Model(World w)
    {
        foreach (var s in w.Slots.Where(s => !Usable(s)))
            yield return (FindingKind.OutsideRange, Key(s.Network, s.Range).Name, InRange(s) ? At(s.Offset).ToString() : $"10.0.0.0+{s.Offset}");
        foreach (var s in w.Slots.Where(s => w.Pods[s.Pod] is "" or "Succeeded"))
            yield return (FindingKind.PodGone, Key(s.Network, s.Range).Name, InRange(s) ? At(s.Offset).ToString() : $"10.0.0.0+{s.Offset}");
        foreach (var group in w.Slots.Where(InRange).GroupBy(s => (s.Network, s.Offset)))
        {
            var reservation = w.Reservations.FirstOrDefault(r => r.Network == group.Key.Network && r.Offset == group.Key.Offset);
            var owners = group.Select(s => (s.Pod, s.If)).Distinct().ToList();
            if (owners.Count > 1 || (reservation is not null && owners.Any(o => o != (reservation.Pod, reservation.If))))
                yield return (FindingKind.HeldTwice, string.Join(", ", group.Select(s => Key(s.Network, s.Range).Name).Distinct().Order(StringComparer.Ordinal)), At(group.Key.Offset).ToString());
            else if (reservation is null)
                foreach (var s in group) yield return (FindingKind.AllocationWithoutReservation, Key(s.Network, s.Range).Name, At(s.Offset).ToString());
        }
        // An unnamed network's reservation is backed by a pool of any network (its name cannot tell it from one of theirs).
        foreach (var r in w.Reservations.Where(r => !w.Slots.Any(s => InRange(s) && s.Offset == r.Offset && (r.Network == 0 || s.Network == r.Network))))
            yield return (FindingKind.ReservationWithoutAllocation, "", At(r.Offset).ToString());
    }

    [Fact]
    public void CheckFindsWhatTheModelFindsAndNothingElse() =>
        WorldGen.Sample(w =>
        {
            var found = Consistency.Check(View(w)).Select(f => (f.Kind, f.Pool, f.Address)).Order().ToArray();
            Assert.Equal(Model(w).Order().ToArray(), found);
        });

    [Fact]
    public void WithoutReservationsNoAllocationIsMissingOne() =>
        WorldGen.Sample(w => Assert.DoesNotContain(Consistency.Check(View(w), reservations: false), f => f.Kind == FindingKind.AllocationWithoutReservation));

    [Fact]
    public void AHealthyWorldHasNoFindings() =>
        Gen.Int[1, 6].Array[0, 6].Sample(offsets =>
        {
            var slots = offsets.Distinct().Select((o, i) => new Slot(1, 0, o, i % 5, 0)).ToArray();
            var w = new World(slots, [.. slots.Select(s => new Reserved(1, s.Offset, s.Pod, 0))], ["Running", "Running", "Running", "Running", "Running"]);
            Assert.Empty(Consistency.Check(View(w)));
        });
}
