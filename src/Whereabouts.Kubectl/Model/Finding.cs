namespace Whereabouts.Kubectl.Model;

/// <summary>The kinds of inconsistency <c>check</c> reports, in the order it lists them.</summary>
public enum FindingKind
{
    /// <summary>Two pod interfaces hold one address of a network: two pools, or a pool and a reservation, disagree.</summary>
    HeldTwice,
    /// <summary>An allocation whose pod does not exist, or has terminated (Succeeded, Failed): its DEL never came.</summary>
    PodGone,
    /// <summary>A reservation no pool backs: an ADD or a DEL died half-way.</summary>
    ReservationWithoutAllocation,
    /// <summary>An allocation whose address has no reservation of its network (the network keeps reservations by default).</summary>
    AllocationWithoutReservation,
    /// <summary>An allocation at an address its pool cannot hand out: the network or broadcast address, or beyond the range.</summary>
    OutsideRange,
}

/// <summary>One inconsistency: what, where (address, pool or pools, or reservation), who, and why in words.</summary>
public sealed record Finding(FindingKind Kind, string Address, string Pool, string Holder, string Detail);
