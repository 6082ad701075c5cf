namespace Whereabouts.Core.Pools;

/// <summary>
/// Who holds an address: the sandbox's container ID, the pod ("namespace/name") and the interface.
/// Whether two owners are the same is <see cref="Ownership"/>'s to say.
/// </summary>
public sealed record Owner(string ContainerId, string PodRef, string IfName)
{
    public override string ToString() =>
        $"{(PodRef.Length > 0 ? PodRef : "container " + ContainerId)} ({(IfName.Length > 0 ? IfName : "no interface")})";
}
