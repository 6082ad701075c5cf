using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores;

/// <summary>
/// Whether a stored reservation belongs to the owner a delete names. Upstream writes reservations without a
/// container ID (and old ones without an interface), so the pod reference decides, and the interface when
/// both sides have one.
/// </summary>
public static class OwnerMatch
{
    public static bool Holds(Owner stored, Owner expected) =>
        stored.PodRef == expected.PodRef
        && (stored.IfName.Length == 0 || expected.IfName.Length == 0 || stored.IfName == expected.IfName)
        && (stored.PodRef.Length > 0 || stored.ContainerId == expected.ContainerId);

    /// <summary>Whether <paramref name="delete"/> may remove a reservation that <paramref name="stored"/> holds.</summary>
    public static bool Allows(StoreOp.DeleteReservation delete, Owner stored) =>
        delete.ExactOwner ? stored == delete.IfOwnedBy : Holds(stored, delete.IfOwnedBy);
}
