using Whereabouts.KubeTestServer;
using Whereabouts.Stores.Kubernetes;
using Xunit;

namespace Whereabouts.Stores.Tests.Kubernetes;

/// <summary>KubernetesPoolStore.PlacementOf, GC's one pod read: bound to a node, gone, or unknown with why.</summary>
public sealed class KubernetesPodPlacementTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    [Fact]
    public async Task APodIsOnItsNodeGoneOrUnknown()
    {
        var ns = KubeServerFixture.FreshNamespace();
        fixture.Server.PutPod("apps", "web-1", "node-a");
        fixture.Server.PutPod("apps", "pending", null);
        await using var store = fixture.Open(ns);

        Assert.Equal(new PodPlacement.OnNode("node-a"), await store.PlacementOf("apps/web-1", default));
        Assert.Equal(new PodPlacement.OnNode(""), await store.PlacementOf("apps/pending", default));
        Assert.Equal(new PodPlacement.Gone(), await store.PlacementOf("apps/web-2", default));
        Assert.Equal(new PodPlacement.Gone(), await store.PlacementOf("no-such-namespace/web-1", default));
        Assert.Contains("is not namespace/name", Assert.IsType<PodPlacement.Unknown>(await store.PlacementOf("web-1", default)).Why);
        Assert.IsType<PodPlacement.Unknown>(await store.PlacementOf("apps/", default));

        fixture.Server.Faults.FailNext(KubeVerbs.Get, FaultKind.InternalServerError);
        Assert.Contains("500", Assert.IsType<PodPlacement.Unknown>(await store.PlacementOf("apps/web-1", default)).Why);
        fixture.Server.Faults.FailNext(KubeVerbs.Get, FaultKind.DropConnection);
        Assert.IsType<PodPlacement.Unknown>(await store.PlacementOf("apps/web-1", default));
        Assert.Equal(new PodPlacement.OnNode("node-a"), await store.PlacementOf("apps/web-1", default));
    }
}
