namespace Whereabouts.KubeTestServer;

/// <summary>
/// A custom resource the server knows the kind of, so a LIST of an empty collection can still
/// answer <c>kind: &lt;Kind&gt;List</c> and seeded objects get apiVersion/kind filled in.
/// Unregistered plurals still work; their kind is taken from the objects themselves.
/// </summary>
public sealed record CustomResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>
    /// A kind compiled into the apiserver (not a CRD): its decoder takes apiVersion and kind from the URL when a
    /// body leaves them out, and DELETE answers with the deleted object rather than a Status.
    /// </summary>
    public bool BuiltInKind => Group is "" or "coordination.k8s.io" or "events.k8s.io";

    public const string WhereaboutsGroup = "whereabouts.cni.cncf.io";
    public const string WhereaboutsVersion = "v1alpha1";

    public static CustomResourceType IPPool { get; } = new(WhereaboutsGroup, WhereaboutsVersion, "ippools", "IPPool");

    public static CustomResourceType OverlappingRangeIPReservation { get; } =
        new(WhereaboutsGroup, WhereaboutsVersion, "overlappingrangeipreservations", "OverlappingRangeIPReservation");

    public static CustomResourceType NodeSlicePool { get; } =
        new(WhereaboutsGroup, WhereaboutsVersion, "nodeslicepools", "NodeSlicePool");

    public static IReadOnlyList<CustomResourceType> Whereabouts { get; } = [IPPool, OverlappingRangeIPReservation, NodeSlicePool];

    /// <summary>core/v1 Pod: always known; field selectors spec.nodeName, status.phase and the others of <see cref="FieldSelector"/>.</summary>
    public static CustomResourceType Pod { get; } = new("", "v1", "pods", "Pod");

    /// <summary>core/v1 Node: cluster-scoped (<c>/api/v1/nodes/NAME</c>).</summary>
    public static CustomResourceType Node { get; } = new("", "v1", "nodes", "Node", Namespaced: false);

    /// <summary>core/v1 Event.</summary>
    public static CustomResourceType Event { get; } = new("", "v1", "events", "Event");

    /// <summary>coordination.k8s.io/v1 Lease, what leader election holds.</summary>
    public static CustomResourceType Lease { get; } = new("coordination.k8s.io", "v1", "leases", "Lease");

    /// <summary>k8s.cni.cncf.io/v1 NetworkAttachmentDefinition, Multus' CRD.</summary>
    public static CustomResourceType NetworkAttachmentDefinition { get; } = new("k8s.cni.cncf.io", "v1", "network-attachment-definitions", "NetworkAttachmentDefinition");

    /// <summary>The core kinds served under /api/v1.</summary>
    public static IReadOnlyList<CustomResourceType> Core { get; } = [Pod, Node, Event];

    /// <summary>Every kind a server knows besides the custom ones it is given.</summary>
    public static IReadOnlyList<CustomResourceType> BuiltIn { get; } = [.. Core, Lease, NetworkAttachmentDefinition];
}
