namespace Whereabouts.KubeTestServer;

/// <summary>
/// A custom resource the server knows the kind of, so a LIST of an empty collection can still
/// answer <c>kind: &lt;Kind&gt;List</c> and seeded objects get apiVersion/kind filled in.
/// Unregistered plurals still work; their kind is taken from the objects themselves.
/// </summary>
public sealed record CustomResourceType(string Group, string Version, string Plural, string Kind)
{
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public const string WhereaboutsGroup = "whereabouts.cni.cncf.io";
    public const string WhereaboutsVersion = "v1alpha1";

    public static CustomResourceType IPPool { get; } = new(WhereaboutsGroup, WhereaboutsVersion, "ippools", "IPPool");

    public static CustomResourceType OverlappingRangeIPReservation { get; } =
        new(WhereaboutsGroup, WhereaboutsVersion, "overlappingrangeipreservations", "OverlappingRangeIPReservation");

    public static CustomResourceType NodeSlicePool { get; } =
        new(WhereaboutsGroup, WhereaboutsVersion, "nodeslicepools", "NodeSlicePool");

    public static IReadOnlyList<CustomResourceType> Whereabouts { get; } = [IPPool, OverlappingRangeIPReservation, NodeSlicePool];

    /// <summary>core/v1 Pod: always known; served read-only (GET, LIST and WATCH with field selectors), seeded by tests.</summary>
    public static CustomResourceType Pod { get; } = new("", "v1", "pods", "Pod");
}
