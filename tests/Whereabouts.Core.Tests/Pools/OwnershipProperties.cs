using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Tests.Pools;

/// <summary>
/// <see cref="Ownership"/> against a model that states upstream's rules field by field: an owner is known by
/// its pod interface, or by its container when it has no pod; a missing interface (old entries) matches any.
/// Small alphabets, empty strings included, so that every coincidence of fields is drawn often.
/// </summary>
public sealed class OwnershipProperties
{
    static readonly string[] Containers = ["", "c0", "c1"];
    static readonly string[] Pods = ["", "ns/p0", "ns/p1"];
    static readonly string[] IfNames = ["", "net1", "net2"];

    static readonly Gen<Owner> AnOwner = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2], (c, p, i) => new Owner(Containers[c], Pods[p], IfNames[i]));

    /// <summary>Who an owner is, as ADD's idempotency sees it.</summary>
    static (bool ByPod, string Who, string IfName) Identity(Owner o) => o.PodRef != "" ? (true, o.PodRef, o.IfName) : (false, o.ContainerId, o.IfName);

    static bool InterfacesAgree(string a, string b) => a == "" || b == "" || a == b;

    [Fact]
    public void SameAttachmentIsEqualIdentity() =>
        Gen.Select(AnOwner, AnOwner).Sample((a, b) =>
            Ownership.SameAttachment(a, b) == (Identity(a) == Identity(b))
            && Ownership.HeldByOther(a, b) == !Ownership.SameAttachment(a, b)
            && Ownership.SameAttachment(a, b) == Ownership.SameAttachment(b, a));

    [Fact]
    public void ReleasedByNeedsTheContainerAndTheInterfaceIfStored() =>
        Gen.Select(AnOwner, Gen.Int[0, 2], Gen.Int[1, 2]).Sample((stored, c, i) =>
            Ownership.ReleasedBy(stored, Containers[c], IfNames[i])
            == (stored.ContainerId == Containers[c] && (stored.IfName == "" || stored.IfName == IfNames[i])));

    [Fact]
    public void ADeleteRemovesWhatItsPodInterfaceHoldsWhateverTheContainer() =>
        Gen.Select(AnOwner, AnOwner).Sample((stored, named) =>
            Ownership.MayDelete(new StoreOp.DeleteReservation(new ReservationKey("r", default), named), stored)
            == (stored.PodRef == named.PodRef && InterfacesAgree(stored.IfName, named.IfName)
                && (stored.PodRef != "" || stored.ContainerId == named.ContainerId)));

    [Fact]
    public void AnExactDeleteRemovesOnlyThatVeryOwner() =>
        Gen.Select(AnOwner, AnOwner).Sample((stored, named) =>
            Ownership.MayDelete(new StoreOp.DeleteReservation(new ReservationKey("r", default), named) { ExactOwner = true }, stored)
            == (stored.ContainerId == named.ContainerId && stored.PodRef == named.PodRef && stored.IfName == named.IfName));

    [Fact]
    public void WhatIsTheSameAttachmentItsOwnDeleteMayRemove() =>
        Gen.Select(AnOwner, AnOwner).Sample((stored, named) =>
            !Ownership.SameAttachment(stored, named) || Ownership.Holds(stored, named));
}
