using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Engine;

/// <summary>
/// A reservation no pool backs (an ADD killed between its reservation create and its pool write): what DEL,
/// GC and a repeated ADD decide about it.
/// </summary>
public sealed class OrphanTests
{
    static Cidr C(string text) => Cidr.Parse(text).ThrowIfFail();
    static Address A(string text) => Address.Parse(text).ThrowIfFail();

    static readonly Owner PodA = new("sandbox-1", "default/pod-a", "net1");
    static readonly Owner PodB = new("sandbox-2", "default/pod-b", "net1");

    static NetworkScope Scope(string network, params string[] ranges) => new([.. ranges.Select(r => RangeSpec.Of(C(r)))], network, true);

    static ReservationEntry Entry(string ip, string network, Owner owner) => new(ReservationKey.For(A(ip), network).Name, owner);

    static PoolSnapshot Pool(string range, string network, params (int Offset, Owner Owner)[] held) =>
        new(PoolKey.For(C(range), network), new StoreVersion("3"), PoolState.Of(C(range), held.Select(h => new Allocation((UInt128)h.Offset, h.Owner))));

    static string[] Deleted(Plan plan) => plan.Ops.Select(op =>
    {
        var d = Assert.IsType<StoreOp.DeleteReservation>(op);
        Assert.True(d.ExactOwner);
        return $"{d.Key.Name} {d.IfOwnedBy.ContainerId}";
    }).ToArray();

    [Fact]
    public void DelLooksForOrphansOnlyWhereARangeHeldNothingForTheAttachment()
    {
        var scope = Scope("", "10.1.0.0/24", "fd00:1::/64");
        var request = new DelRequest("sandbox-1", "net1", scope);
        Assert.False(OrphanedReservations.DelMayLeave(request, [A("10.1.0.4"), A("fd00:1::4")]));
        Assert.True(OrphanedReservations.DelMayLeave(request, [A("10.1.0.4")]));
        Assert.True(OrphanedReservations.DelMayLeave(request, []));
        Assert.False(OrphanedReservations.DelMayLeave(request with { Scope = scope with { OverlappingRanges = false } }, []));
    }

    [Fact]
    public void DelDeletesTheAttachmentsUnbackedReservationsOfItsNetworkAndNothingElse()
    {
        var scope = Scope("blue", "10.1.0.0/24", "fd00:1::/64");
        var reservations = ImmutableArray.Create(
            Entry("10.1.0.5", "blue", PodA),                          // the orphan
            Entry("fd00:1::", "blue", PodA),                          // an IPv6 orphan ("blue-fd00-1--0")
            Entry("10.1.0.6", "blue", PodA with { IfName = "net2" }), // another interface of the pod
            Entry("10.1.0.7", "blue", PodA with { ContainerId = "sandbox-9" }), // a newer sandbox of the pod
            Entry("10.1.0.8", "blue", PodB),                          // another pod
            Entry("10.1.0.9", "", PodA),                              // the unnamed network's
            Entry("10.2.0.5", "blue", PodA),                          // outside the ranges
            Entry("10.1.0.10", "blue", PodA));                        // backed: the pool holds .10
        var pools = ImmutableArray.Create(Pool("10.1.0.0/24", "blue", (10, PodA with { ContainerId = "sandbox-9" })));
        var plan = OrphanedReservations.ForDel(new DelRequest("sandbox-1", "net1", scope), pools, reservations);
        Assert.Equal(["blue-10.1.0.5 sandbox-1", "blue-fd00-1--0 sandbox-1"], Deleted(plan));
        Assert.Equal([A("10.1.0.5"), A("fd00:1::")], Assert.IsType<Outcome.Released>(plan.Outcome).Addresses.ToArray());
    }

    [Fact]
    public void GcDeletesAnOrphanWhoseOwnerIsNotValidUnlessAnyPoolOfTheNetworkNameBacksIt()
    {
        // Two configurations share the reservations: the /24 (pod B on .2) and this GC's /28.
        var scope = Scope("", "192.168.22.0/28");
        var request = new GcRequest([new Attachment("sandbox-3", "net1")], scope, new GcOwnership.AllLocal());
        var reservations = ImmutableArray.Create(
            Entry("192.168.22.1", "", PodA),                                   // orphan, owner gone
            Entry("192.168.22.2", "", PodB),                                   // held by pod B in the /24
            Entry("192.168.22.3", "", new Owner("sandbox-3", "default/pod-c", "net1")), // owner valid
            Entry("192.168.22.4", "", new Owner("sandbox-4", "default/pod-d", "net1")), // not this node's
            Entry("192.168.22.100", "", PodA));                                // outside the /28
        var candidates = OrphanedReservations.GcCandidates(request, reservations, o => o.ContainerId != "sandbox-4");
        Assert.Equal(["192.168.22.1", "192.168.22.2"], candidates.Select(c => c.Key.Name));
        var all = ImmutableArray.Create(Pool("192.168.22.0/28", ""), Pool("192.168.22.0/24", "", (2, PodB)));
        Assert.Equal(["192.168.22.1 sandbox-1"], Deleted(OrphanedReservations.ForGc(candidates, all)));
        // Seen from this configuration's pool alone, pod B's reservation would look orphaned.
        Assert.Equal(2, OrphanedReservations.ForGc(candidates, [all[0]]).Steps.Length);
    }

    [Fact]
    public void ARepeatedAddOfTheSameSandboxTakesTheOrphanedAddressWithoutWritingItsReservation()
    {
        var scope = Scope("", "10.1.0.0/30");
        var orphan = ReservationKey.For(A("10.1.0.1"), "");
        var known = KnownReservations.None.With(orphan, PodA);
        var plan = Allocator.Decide(new AddRequest(PodA, scope, []), [PoolSnapshot.Missing(PoolKey.For(C("10.1.0.0/30"), ""))], known).ThrowIfFail();
        Assert.Equal("10.1.0.1/30", Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases.Single().ToString());
        Assert.IsType<StoreOp.CreatePool>(Assert.Single(plan.Ops));
    }

    [Fact]
    public void ANewSandboxOfThePodTakesTheOrphanOverFromTheOldOne()
    {
        var scope = Scope("", "10.1.0.0/30");
        var orphan = ReservationKey.For(A("10.1.0.1"), "");
        var known = KnownReservations.None.With(orphan, PodA);
        var newSandbox = PodA with { ContainerId = "sandbox-new" };
        var plan = Allocator.Decide(new AddRequest(newSandbox, scope, []), [PoolSnapshot.Missing(PoolKey.For(C("10.1.0.0/30"), ""))], known).ThrowIfFail();
        Assert.Equal("10.1.0.1/30", Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases.Single().ToString());
        var delete = Assert.IsType<StoreOp.DeleteReservation>(plan.Ops[0]);
        Assert.Equal((orphan, PodA, true), (delete.Key, delete.IfOwnedBy, delete.ExactOwner));
        Assert.Equal(new StoreOp.CreateReservation(orphan, newSandbox), plan.Ops[1]);
        Assert.IsType<StoreOp.CreatePool>(plan.Ops[2]);
        // Undone, the take-over leaves no reservation: the old sandbox's orphan is gone either way.
        Assert.Equal([new Undo.Write(new StoreOp.DeleteReservation(orphan, newSandbox))], plan.UndoAfter(2).ToArray());
    }

    [Fact]
    public void ReservationNamesParseBackOnlyAsTheirOwnNetworks()
    {
        Assert.Equal(A("fd00::"), ReservationKey.Parse("fd00--0", "").Map(k => k.Address).IfNone(default(Address)));
        Assert.Equal(A("10.0.0.5"), ReservationKey.Parse("blue-10.0.0.5", "blue").Map(k => k.Address).IfNone(default(Address)));
        Assert.True(ReservationKey.Parse("blue-10.0.0.5", "").IsNone);
        Assert.True(ReservationKey.Parse("blue-green-10.0.0.5", "blue").IsNone);
        Assert.True(ReservationKey.Parse("10.0.0.5", "blue").IsNone);
        Assert.True(ReservationKey.Parse("fd00-0-0-0-0-0-0-5", "").IsNone); // not the canonical spelling of fd00::5
    }
}
