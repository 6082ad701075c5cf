using Whereabouts.Core.Engine;

namespace Whereabouts.Core.Pools;

/// <summary>
/// Every question of who holds an address or a reservation, asked in one place: the engine, every store
/// adapter and every test double call these. Upstream writes no container ID in reservations, and entries
/// written before it stored interface names have none: the rules below tolerate both.
/// </summary>
public static class Ownership
{
    /// <summary>
    /// Same pod interface, the key of ADD's idempotency. A pod re-created with a new sandbox keeps its address.
    /// Without a pod reference (plain CNI use) the container ID stands in for it.
    /// </summary>
    public static bool SameAttachment(Owner a, Owner b) =>
        a.PodRef.Length > 0 || b.PodRef.Length > 0
            ? a.PodRef == b.PodRef && a.IfName == b.IfName
            : a.ContainerId == b.ContainerId && a.IfName == b.IfName;

    /// <summary>Whether what <paramref name="stored"/> holds is someone else's as far as <paramref name="us"/> can tell.</summary>
    public static bool HeldByOther(Owner stored, Owner us) => !SameAttachment(stored, us);

    /// <summary>
    /// DEL's key: (container ID, interface). Entries written by upstream before it stored interface names have
    /// none, and match on the container ID alone.
    /// </summary>
    public static bool ReleasedBy(Owner stored, string containerId, string ifName) =>
        stored.ContainerId == containerId && (stored.IfName.Length == 0 || stored.IfName == ifName);

    /// <summary>
    /// Whether a stored reservation belongs to the owner a delete names: the pod reference decides (upstream
    /// writes no container ID), the interface when both sides have one, the container ID when there is no pod.
    /// </summary>
    public static bool Holds(Owner stored, Owner named) =>
        stored.PodRef == named.PodRef
        && (stored.IfName.Length == 0 || named.IfName.Length == 0 || stored.IfName == named.IfName)
        && (stored.PodRef.Length > 0 || stored.ContainerId == named.ContainerId);

    /// <summary>
    /// Whether <paramref name="delete"/> may remove a reservation that <paramref name="stored"/> holds; an exact
    /// delete (cleaning an orphan) only while it names that very owner, container ID included.
    /// </summary>
    public static bool MayDelete(StoreOp.DeleteReservation delete, Owner stored) =>
        delete.ExactOwner ? stored == delete.IfOwnedBy : Holds(stored, delete.IfOwnedBy);
}
