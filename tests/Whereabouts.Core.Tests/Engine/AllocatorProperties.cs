using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Engine;

/// <summary>Allocator.Decide on one range against the model "lowest of allocatable − taken − reserved by others".</summary>
public sealed class AllocatorProperties
{
    static readonly Owner Me = new("c-me", "ns/me", "net1");

    static readonly Gen<(RangeSpec Spec, UInt128[] Taken, UInt128[] Reserved, bool ReservedByMe, bool Overlapping)> Case = Gens.AllocatorCase;

    [Fact]
    public void TheLowestFreeAllocatableAddressIsHandedOut() =>
        Case.Sample(c =>
        {
            var scope = new NetworkScope([c.Spec], "", c.Overlapping);
            var key = PoolKey.For(c.Spec.Range, "");
            var pool = PoolState.Of(key.Range, c.Taken.Select((o, i) => new Allocation(o, new Owner($"c{i}", $"ns/other-{i}", "net1"))));
            var known = c.Reserved.Aggregate(KnownReservations.None, (k, o) =>
                k.With(ReservationKey.For(key.Range.AddressAt(o), ""), c.ReservedByMe ? Me with { ContainerId = "old" } : new Owner("x", "ns/someone", "net1")));
            var snapshot = new PoolSnapshot(key, new StoreVersion("7"), pool);

            var allocatable = Allocatable.Of(c.Spec).ThrowIfFail();
            var expected = allocatable.Intervals
                .SelectMany(iv => Enumerable.Range((int)iv.Lo, (int)(iv.Hi - iv.Lo) + 1).Select(o => (UInt128)o))
                .Where(o => !c.Taken.Contains(o) && !(c.Overlapping && !c.ReservedByMe && c.Reserved.Contains(o)))
                .Select(o => (UInt128?)o).FirstOrDefault();

            var decided = Allocator.Decide(new AddRequest(Me, scope, ImmutableArray<Address>.Empty), [snapshot], known);
            if (expected is null)
            {
                Assert.True(decided.IsFail, $"{c.Spec} should be exhausted");
                decided.IfFail(e =>
                {
                    Assert.Equal(Errors.RangeExhaustedCode, e.Code);
                    Assert.Contains(c.Spec.Network.ToString(), e.Message);
                });
                return;
            }
            var plan = decided.ThrowIfFail();
            var lease = Assert.Single(Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases);
            Assert.Equal(key.Range.AddressAt(expected.Value), lease.Address);
            var write = Assert.IsType<StoreOp.ReplacePool>(plan.Ops.Last());
            Assert.Equal(new StoreVersion("7"), write.IfVersion);
            Assert.Equal(pool.Allocations.Select(a => a.Offset).Append(expected.Value).Order().ToArray(), write.Next.Allocations.Select(a => a.Offset).ToArray());
            // A reservation of my pod's earlier sandbox (an orphan) is taken over: deleted as exactly its owner, created as mine.
            var reservationsCreated = plan.Ops.OfType<StoreOp.CreateReservation>().ToArray();
            Assert.Equal(c.Overlapping ? [ReservationKey.For(lease.Address, "")] : Array.Empty<ReservationKey>(), reservationsCreated.Select(r => r.Key).ToArray());
            var takenOver = c.Overlapping && c.ReservedByMe && c.Reserved.Contains(expected.Value);
            Assert.Equal(takenOver ? [(ReservationKey.For(lease.Address, ""), "old", true)] : Array.Empty<(ReservationKey, string, bool)>(),
                plan.Ops.OfType<StoreOp.DeleteReservation>().Select(d => (d.Key, d.IfOwnedBy.ContainerId, d.ExactOwner)).ToArray());
        });
}

/// <summary>Reservations seen elsewhere steer the choice of a free address, and nothing else.</summary>
public sealed class SeenReservationTests
{
    static readonly Cidr Range = Cidr.Parse("10.0.0.0/29").ThrowIfFail();
    static readonly NetworkScope Scope = new([RangeSpec.Of(Range)], "", OverlappingRanges: true);
    static readonly PoolSnapshot Empty = new(PoolKey.Of(Scope.Ranges[0], ""), new StoreVersion("1"), PoolState.Empty(Range));
    static readonly Owner Me = new("c-me", "ns/me", "net1");
    static readonly Owner Other = new("c-x", "ns/other", "net1");

    static KnownReservations Seeing(Owner owner, params int[] offsets) => KnownReservations.None with
    {
        Seen = offsets.Aggregate(LanguageExt.Map<LanguageExt.ClassInstances.OrdString, string, Owner>.Empty,
            (m, o) => m.AddOrUpdate(ReservationKey.For(Range.AddressAt((UInt128)o), "").Name, owner)),
    };

    static Plan Decide(KnownReservations known, params Address[] requested) =>
        Allocator.Decide(new AddRequest(Me, Scope, [.. requested]), [Empty], known).ThrowIfFail();

    static Address Leased(Plan plan) => Assert.Single(Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases).Address;

    [Fact]
    public void AFreeAddressSeenReservedByAnotherIsPassedBy()
    {
        var plan = Decide(Seeing(Other, 1, 2));
        Assert.Equal(Range.AddressAt(3), Leased(plan));
        // Its own reservation is still created: what was seen is not what is known.
        Assert.Equal([ReservationKey.For(Range.AddressAt(3), "")], plan.Ops.OfType<StoreOp.CreateReservation>().Select(c => c.Key));
    }

    [Fact]
    public void ASeenReservationOfTheSamePodInterfaceIsNotPassedByAndStillCreated()
    {
        var plan = Decide(Seeing(Me with { ContainerId = "older" }, 1));
        Assert.Equal(Range.AddressAt(1), Leased(plan));
        Assert.Single(plan.Ops.OfType<StoreOp.CreateReservation>());
    }

    [Fact]
    public void ARequestedAddressIsTriedWhateverWasSeen()
    {
        var plan = Decide(Seeing(Other, 4), Range.AddressAt(4));
        Assert.Equal(Range.AddressAt(4), Leased(plan));
        Assert.Single(plan.Ops.OfType<StoreOp.CreateReservation>());
    }
}
