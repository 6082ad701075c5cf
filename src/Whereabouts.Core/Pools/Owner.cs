namespace Whereabouts.Core.Pools;

/// <summary>Who holds an address: the sandbox's container ID, the pod ("namespace/name") and the interface.</summary>
public sealed record Owner(string ContainerId, string PodRef, string IfName)
{
    /// <summary>
    /// Same pod interface, the key of ADD's idempotency. A pod re-created with a new sandbox keeps its address.
    /// Without a pod reference (plain CNI use) the container ID stands in for it.
    /// </summary>
    public bool IsSameAttachment(Owner other) =>
        PodRef.Length > 0 || other.PodRef.Length > 0
            ? PodRef == other.PodRef && IfName == other.IfName
            : ContainerId == other.ContainerId && IfName == other.IfName;

    /// <summary>
    /// DEL's key: (container ID, interface). Entries written by upstream before it stored interface names have
    /// none, and match on the container ID alone.
    /// </summary>
    public bool IsReleasedBy(string containerId, string ifName) =>
        ContainerId == containerId && (IfName.Length == 0 || IfName == ifName);

    public override string ToString() =>
        $"{(PodRef.Length > 0 ? PodRef : "container " + ContainerId)} ({(IfName.Length > 0 ? IfName : "no interface")})";
}
