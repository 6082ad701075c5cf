namespace Whereabouts.Stores.Kubernetes;

/// <summary>What the API says about a pod named in an allocation (see <see cref="KubernetesPoolStore.PlacementOf"/>).</summary>
public abstract record PodPlacement
{
    PodPlacement() { }

    /// <summary>The pod exists, bound to <paramref name="Node"/> ("" while unscheduled).</summary>
    public sealed record OnNode(string Node) : PodPlacement;

    /// <summary>No such pod: the API answered 404 for it.</summary>
    public sealed record Gone : PodPlacement;

    /// <summary>The API could not say, for <paramref name="Why"/>.</summary>
    public sealed record Unknown(string Why) : PodPlacement;
}
