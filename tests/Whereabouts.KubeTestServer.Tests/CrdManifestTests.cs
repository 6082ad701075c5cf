using k8s;
using k8s.Models;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>
/// deploy/crds must stay wire-compatible with upstream whereabouts: same names, scope, version and
/// required fields. Loaded with KubernetesClient's own YAML model so a malformed CRD fails here.
/// </summary>
public sealed class CrdManifestTests
{
    [Theory]
    [InlineData("whereabouts.cni.cncf.io_ippools.yaml", "IPPool", "ippools", "ippool", "IPPoolList")]
    [InlineData("whereabouts.cni.cncf.io_overlappingrangeipreservations.yaml", "OverlappingRangeIPReservation",
        "overlappingrangeipreservations", "overlappingrangeipreservation", "OverlappingRangeIPReservationList")]
    [InlineData("whereabouts.cni.cncf.io_nodeslicepools.yaml", "NodeSlicePool", "nodeslicepools", "nodeslicepool", "NodeSlicePoolList")]
    public void Crd_names_scope_and_version_match_upstream(string file, string kind, string plural, string singular, string listKind)
    {
        var crd = Load(file);

        Assert.Equal("apiextensions.k8s.io/v1", crd.ApiVersion);
        Assert.Equal($"{plural}.whereabouts.cni.cncf.io", crd.Metadata.Name);
        Assert.Equal("whereabouts.cni.cncf.io", crd.Spec.Group);
        Assert.Equal("Namespaced", crd.Spec.Scope);
        Assert.Equal((kind, plural, singular, listKind),
            (crd.Spec.Names.Kind, crd.Spec.Names.Plural, crd.Spec.Names.Singular, crd.Spec.Names.ListKind));
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal("v1alpha1", version.Name);
        Assert.True(version.Served);
        Assert.True(version.Storage);
        Assert.Null(version.Subresources);
    }

    [Fact]
    public void IPPool_schema()
    {
        var spec = Root("whereabouts.cni.cncf.io_ippools.yaml").Properties["spec"];

        Assert.Equal(["allocations", "range"], spec.Required.Order());
        Assert.Equal("string", spec.Properties["range"].Type);
        Assert.Equal("Range is a RFC 4632/4291-style string that represents an IP address and prefix length in CIDR notation",
            spec.Properties["range"].Description);
        var allocations = spec.Properties["allocations"];
        Assert.Equal("object", allocations.Type);
        var entry = AsSchema(allocations.AdditionalProperties);
        Assert.Equal(["id", "podref"], entry.Required.Order());
        Assert.Equal(["id", "ifname", "podref"], entry.Properties.Keys.Order());
        Assert.All(entry.Properties.Values, p => Assert.Equal("string", p.Type));
    }

    [Fact]
    public void OverlappingRangeIPReservation_schema()
    {
        var root = Root("whereabouts.cni.cncf.io_overlappingrangeipreservations.yaml");
        var spec = root.Properties["spec"];

        Assert.Equal(["spec"], root.Required);
        Assert.Equal(["podref"], spec.Required);
        Assert.Equal(["containerid", "ifname", "podref"], spec.Properties.Keys.Order());
        Assert.All(spec.Properties.Values, p => Assert.Equal("string", p.Type));
    }

    [Fact]
    public void NodeSlicePool_schema()
    {
        var root = Root("whereabouts.cni.cncf.io_nodeslicepools.yaml");
        var spec = root.Properties["spec"];
        var status = root.Properties["status"];

        Assert.Equal(["range", "sliceSize"], spec.Required.Order());
        Assert.All(spec.Properties.Values, p => Assert.Equal("string", p.Type));
        Assert.Equal(["allocations"], status.Required);
        var allocations = status.Properties["allocations"];
        Assert.Equal("array", allocations.Type);
        var item = AsSchema(allocations.Items);
        Assert.Equal(["nodeName", "sliceRange"], item.Required.Order());
        Assert.Equal(["nodeName", "sliceRange"], item.Properties.Keys.Order());
    }

    // additionalProperties and items are typed object (schema or bool), so YAML leaves them as maps; re-read them as schemas.
    private static V1JSONSchemaProps AsSchema(object node) =>
        KubernetesYaml.Deserialize<V1JSONSchemaProps>(KubernetesYaml.Serialize(node));

    private static V1JSONSchemaProps Root(string file) => Load(file).Spec.Versions[0].Schema.OpenAPIV3Schema;

    private static V1CustomResourceDefinition Load(string file) =>
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Path.Combine(RepoRoot(), "deploy", "crds", file)));

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Whereabouts.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Whereabouts.sln) not found above " + AppContext.BaseDirectory);
    }
}
