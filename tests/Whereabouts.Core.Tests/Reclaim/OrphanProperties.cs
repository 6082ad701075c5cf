using System.Collections.Immutable;
using CsCheck;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Core.Tests.Reclaim;

/// <summary>
/// Orphaned reservations against a model that knows which network each reservation was written for: a
/// reservation is deleted only when its own network's pools do not hold its address, and after the grace period.
/// </summary>
public sealed class OrphanProperties
{
    static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    static readonly string[] Networks = ["", "blue", "a", "fd00"];
    static readonly Cidr V4 = new(Address.Parse("10.0.0.0").ThrowIfFail(), 28);
    static readonly Cidr V6 = new(Address.Parse("a:fd00::").ThrowIfFail(), 124);

    static readonly Gen<(int Network, bool Six, int Offset)> SlotGen = Gen.Select(Gen.Int[0, Networks.Length - 1], Gen.Bool, Gen.Int[1, 14]);

    static readonly Gen<((int Network, bool Six, int Offset)[] Held, (int Network, bool Six, int Offset, int Ago)[] Reserved)> CaseGen =
        from held in SlotGen.Array[0, 20]
        from reserved in Gen.Select(SlotGen, Gen.Int[-1, 60]).Select(x => (x.Item1.Network, x.Item1.Six, x.Item1.Offset, x.Item2)).Array[0, 20]
        select (held, reserved);

    static ImmutableArray<PoolSnapshot> Pools((int Network, bool Six, int Offset)[] held) =>
        Networks.SelectMany((n, i) => new[] { V4, V6 }.Select(range => new PoolSnapshot(
            PoolKey.For(range, n), new StoreVersion("1"),
            PoolState.Of(range, held.Where(h => h.Network == i && (h.Six ? V6 : V4) == range).DistinctBy(h => h.Offset)
                .Select(h => new Allocation((UInt128)h.Offset, new Owner($"c{h.Offset}", $"ns/p{h.Offset}", "net1")))))))
            .ToImmutableArray();

    static ReservationEntry Entry((int Network, bool Six, int Offset) slot) =>
        new(ReservationKey.For((slot.Six ? V6 : V4).AddressAt((UInt128)slot.Offset), Networks[slot.Network]).Name, new Owner("", $"ns/r{slot.Offset}", "net1"));

    [Fact]
    public void DeletesOnlyReservationsTheirOwnNetworkDoesNotBackAndOnlyAfterGrace() =>
        CaseGen.Sample(c =>
        {
            var pools = Pools(c.Held);
            var reservations = c.Reserved.DistinctBy(r => Entry((r.Network, r.Six, r.Offset)).Name).ToArray();
            var entries = reservations.Select(r => Entry((r.Network, r.Six, r.Offset))).ToImmutableArray();
            var seen = reservations.Where(r => r.Ago >= 0).ToImmutableDictionary(r => Entry((r.Network, r.Six, r.Offset)), r => Now - TimeSpan.FromSeconds(r.Ago));
            var verdicts = Orphans.Decide(pools, entries, seen, Now, Grace);
            foreach (var r in reservations)
            {
                var entry = Entry((r.Network, r.Six, r.Offset));
                var backedByOwnNetwork = c.Held.Any(h => h == (r.Network, r.Six, r.Offset));
                var deleted = verdicts.Delete.Contains(entry);
                if (backedByOwnNetwork) Assert.False(deleted, $"{entry.Name} is backed by its network's pool");
                if (deleted) Assert.True(r.Ago >= Grace.TotalSeconds, $"{entry.Name} deleted before its grace period");
            }
        });

    [Fact]
    public void AnUnnamedNetworksOrphanWithNoHolderAnywhereIsDeletedAfterGrace() =>
        CaseGen.Sample(c =>
        {
            var pools = Pools(c.Held);
            foreach (var r in c.Reserved.Where(r => r.Network == 0 && r.Ago >= 30))
            {
                var entry = Entry((r.Network, r.Six, r.Offset));
                var heldAnywhere = c.Held.Any(h => h.Six == r.Six && h.Offset == r.Offset);
                var verdicts = Orphans.Decide(pools, [entry], ImmutableDictionary<ReservationEntry, DateTimeOffset>.Empty.Add(entry, Now - TimeSpan.FromSeconds(r.Ago)), Now, Grace);
                Assert.Equal(!heldAnywhere, verdicts.Delete.Contains(entry));
            }
        });

    [Theory]
    [InlineData("10.0.0.5", "", "10.0.0.5")]
    [InlineData("blue-10.0.0.5", "blue", "10.0.0.5")]
    [InlineData("fd00--5", "", "fd00::5")]
    [InlineData("blue-fd00--5", "blue", "fd00::5")]
    [InlineData("my-net-fd00--0", "my-net", "fd00::")]
    public void ReadsTheNetworkAndAddressOfAName(string name, string network, string address) =>
        Assert.Contains(ReservationNames.Readings(name), r => r.Network == network && r.Key.Address == Address.Parse(address).ThrowIfFail());

    [Fact]
    public void ANameThatIsAlsoAnIPv6AddressHasBothReadings() =>
        Assert.Equal(["", "a"], ReservationNames.Readings("a-fd00--5").Select(r => r.Network).Order().ToArray());

    [Fact]
    public void ReleasingALeakDeletesItsOwnersReservationUnderItsNetworkName()
    {
        var range = new Cidr(Address.Parse("fd00::").ThrowIfFail(), 120);
        var pool = new PoolSnapshot(PoolKey.For(range, "blue"), new StoreVersion("3"),
            PoolState.Of(range, [new Allocation(5, new Owner("c1", "ns/p", "net1")), new Allocation(6, new Owner("c2", "ns/q", "net1"))]));
        var plan = ReclaimPlan.For(pool, [new Allocation(5, new Owner("c1", "ns/p", "net1"))],
            [new ReservationEntry("blue-fd00--5", new Owner("", "ns/p", "net1")), new ReservationEntry("fd00--5", new Owner("", "ns/other", "net1")),
             new ReservationEntry("blue-fd00--6", new Owner("", "ns/q", "net1"))]);
        var ops = plan.Ops;
        Assert.IsType<StoreOp.ReplacePool>(ops[0]);
        Assert.Equal([new UInt128(0, 6)], ((StoreOp.ReplacePool)ops[0]).Next.Allocations.Select(a => a.Offset));
        var delete = Assert.IsType<StoreOp.DeleteReservation>(Assert.Single(ops.Skip(1)));
        Assert.Equal("blue-fd00--5", delete.Key.Name);
    }
}
