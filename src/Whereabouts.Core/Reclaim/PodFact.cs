namespace Whereabouts.Core.Reclaim;

/// <summary>What a pod's state means for the addresses its allocations hold.</summary>
public enum PodState
{
    /// <summary>The pod exists and may run (Pending, Running, Unknown): its addresses stay.</summary>
    Live,
    /// <summary>Succeeded or Failed: it will never run again, so its addresses are free.</summary>
    Terminal,
    /// <summary>No pod of that namespace and name exists.</summary>
    Gone,
}

/// <summary>
/// What the controller knows of the pod an allocation names ("namespace/name"), and whence: its watched
/// index, which may lag, or a live read just now. Only a live read may release an address.
/// </summary>
public sealed record PodFact(PodState State, bool Confirmed)
{
    /// <summary>The watched index has no such pod (it may not have heard of a new one yet).</summary>
    public static readonly PodFact NotIndexed = new(PodState.Gone, false);

    public static PodState StateOfPhase(string phase) => phase is "Succeeded" or "Failed" ? PodState.Terminal : PodState.Live;
}
