using System.Text.Json.Nodes;
using Whereabouts.Controller.Slices;
using Whereabouts.Core.Slices;
using static Whereabouts.Controller.Tests.Slices.SliceServer;

namespace Whereabouts.Controller.Tests.Slices;

/// <summary>The reconciler against the API test server, through KubernetesClient.</summary>
public sealed class NodeSliceReconcilerTests : IAsyncLifetime
{
    readonly SliceServer api = new();

    public Task InitializeAsync() => api.InitializeAsync();
    public Task DisposeAsync() => api.DisposeAsync();

    [Fact]
    public async Task APoolIsMadeInUpstreamsShapeAndANewNodeGetsTheNextSlice()
    {
        api.PutNad("default", "blue", Ipam("10.2.0.0/22", "/24"));
        api.Nodes("w1", "w2");

        var first = await api.Reconcile();
        Assert.Equal(PoolWrite.Created, first.Pool("blue")!.Write);
        var pool = api.Pool("blue");
        Assert.Equal(("whereabouts.cni.cncf.io/v1alpha1", "NodeSlicePool"), (Text(pool["apiVersion"]), Text(pool["kind"])));
        Assert.Equal(("10.2.0.0/22", "/24"), (Text(pool["spec"]!["range"]), Text(pool["spec"]!["sliceSize"])));
        Assert.Equal([("w1", "10.2.0.0/24"), ("w2", "10.2.1.0/24")], api.Allocations("blue"));

        api.Nodes("w3");
        var second = await api.Reconcile();
        Assert.Equal(PoolWrite.Updated, second.Pool("blue")!.Write);
        Assert.Equal([("w1", "10.2.0.0/24"), ("w2", "10.2.1.0/24"), ("w3", "10.2.2.0/24")], api.Allocations("blue"));
        Assert.Contains(api.Events(Ns, "NodeSliceAssigned"), e => Text(e["message"]).Contains("w3") && Text(e["involvedObject"]!["name"]) == "blue");

        var third = await api.Reconcile();
        Assert.Equal(PoolWrite.Unchanged, third.Pool("blue")!.Write);
    }

    [Fact]
    public async Task TheSliceReadsBackAsThePluginReadsIt()
    {
        api.PutNad("default", "blue", Ipam("10.2.0.0/22", "24"));
        api.Nodes("w1", "w2");
        await api.Reconcile();
        var slice = Stores.Kubernetes.KubernetesNodeSlices.SliceIn(Element(api.Pool("blue")), Ns, "blue", "w2").ThrowIfFail();
        Assert.Equal("10.2.1.0/24", slice.ToString());
    }

    [Fact]
    public async Task OnlyNadsInThePoolsNamespaceOwnIt()
    {
        api.PutNad(Ns, "blue-system", Ipam("10.2.0.0/22", "/24"));
        api.PutNad("team", "blue-team", Ipam("10.2.0.0/22", "/24"));
        api.Nodes("w1");
        await api.Reconcile();
        var owners = api.Pool("blue")["metadata"]!["ownerReferences"]!.AsArray();
        var owner = Assert.Single(owners)!;
        Assert.Equal(("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", "blue-system"), (Text(owner["apiVersion"]), Text(owner["kind"]), Text(owner["name"])));
        Assert.Equal(Text(api.Server.Get("network-attachment-definitions", Ns, "blue-system")!["metadata"]!["uid"]), Text(owner["uid"]));
    }

    [Fact]
    public async Task ADeletedNodesSliceIsFreedOnlyOnceItsIpPoolIsEmpty()
    {
        api.PutNad("default", "blue", Ipam("10.2.0.0/22", "/24"));
        api.Nodes("w1", "w2");
        await api.Reconcile();
        api.PutIpPool("blue-w2-10.2.1.0-24", "10.2.1.0/24", addresses: 2);
        api.RemoveNode("w2");

        var held = await api.Reconcile();
        Assert.Equal(PoolWrite.Unchanged, held.Pool("blue")!.Write);
        Assert.Contains(held.Pool("blue")!.Notes, n => n is SliceNote.HeldForGoneNode { Node: "w2" });
        Assert.Equal([("w1", "10.2.0.0/24"), ("w2", "10.2.1.0/24")], api.Allocations("blue"));

        api.PutIpPool("blue-w2-10.2.1.0-24", "10.2.1.0/24", addresses: 0);
        var freed = await api.Reconcile();
        Assert.Equal(PoolWrite.Updated, freed.Pool("blue")!.Write);
        Assert.Equal([("w1", "10.2.0.0/24"), ("", "10.2.1.0/24")], api.Allocations("blue"));
        Assert.Single(api.Events(Ns, "NodeSliceFreed"));

        api.Nodes("w4");
        await api.Reconcile();
        Assert.Equal([("w1", "10.2.0.0/24"), ("w4", "10.2.1.0/24")], api.Allocations("blue"));
    }

    [Fact]
    public async Task AGoneNodeWithoutAnIpPoolGivesItsSliceBack()
    {
        api.PutNad("default", "blue", Ipam("10.2.0.0/22", "/24", networkName: ""), network: "net-x");
        api.Nodes("w1", "w2");
        await api.Reconcile();
        api.RemoveNode("w1");
        await api.Reconcile();
        Assert.Equal([("", "10.2.0.0/24"), ("w2", "10.2.1.0/24")], api.Allocations("net-x"));
    }

    [Fact]
    public async Task Ipv6RangesAreSliced()
    {
        api.PutNad("default", "v6", Ipam("fd00:10::/64", "/80", networkName: "v6"));
        api.Nodes("a", "b", "c");
        await api.Reconcile();
        Assert.Equal([("a", "fd00:10::/80"), ("b", "fd00:10:0:0:1::/80"), ("c", "fd00:10:0:0:2::/80")], api.Allocations("v6"));
        Assert.Equal("/80", Text(api.Pool("v6")["spec"]!["sliceSize"]));
    }

    [Fact]
    public async Task WhenSlicesRunOutTheNodeGetsNoneAndTheNadSaysSo()
    {
        api.PutNad("default", "small", Ipam("10.3.0.0/23", "/24", networkName: "small"));
        api.Nodes("a", "b", "c");
        var report = await api.Reconcile();
        Assert.Equal([("a", "10.3.0.0/24"), ("b", "10.3.1.0/24")], api.Allocations("small"));
        Assert.Contains(report.Pool("small")!.Notes, n => n is SliceNote.Exhausted { Node: "c" });
        var warning = Assert.Single(api.Events("default", "NodeSlicesExhausted"));
        Assert.Equal(("Warning", "NetworkAttachmentDefinition", "small"), (Text(warning["type"]), Text(warning["involvedObject"]!["kind"]), Text(warning["involvedObject"]!["name"])));
        Assert.Contains("node c", Text(warning["message"]));
    }

    [Fact]
    public async Task ANadsChangedRangeIsReportedAndThePoolKeptAsItIs()
    {
        api.PutNad("default", "blue", Ipam("10.2.0.0/22", "/24"));
        api.Nodes("w1");
        await api.Reconcile();
        var before = api.Pool("blue").ToJsonString();
        api.PutNad("default", "blue", Ipam("10.9.0.0/16", "/26"));

        var reconciler = api.Reconciler(); // one sink across passes, as in the controller
        var report = await api.Reconcile(reconciler);
        await api.Reconcile(reconciler);
        Assert.Equal(PoolWrite.Unchanged, report.Pool("blue")!.Write);
        Assert.Equal(before, api.Pool("blue").ToJsonString());
        var warning = Assert.Single(api.Events("default", "NodeSliceSpecNotHonoured")); // the second pass counts on the first Event
        Assert.Equal(2, warning["count"]!.GetValue<int>());
        Assert.Contains("10.9.0.0/16 in /26 slices", Text(warning["message"]));
        Assert.Contains("keeps 10.2.0.0/22 in /24 slices", Text(warning["message"]));
    }

    [Fact]
    public async Task ABrokenSlicedNadIsReportedAndOthersGoOn()
    {
        api.PutNad("default", "broken", """{"type":"whereabouts","range":"10.4.0.0/16","node_slice_size":"/8"}""");
        api.PutNad("default", "blue", Ipam("10.2.0.0/22", "/24"));
        api.PutNad("default", "other", """{"type":"host-local","subnet":"10.5.0.0/16"}""");
        api.Nodes("w1");
        var report = await api.Reconcile();
        Assert.Equal("broken", Assert.Single(report.Problems).Nad.Name);
        Assert.Equal(["blue"], report.Pools.Select(p => p.PoolName));
        Assert.Contains("does not split", Text(Assert.Single(api.Events("default", "NodeSliceConfigInvalid"))["message"]));
    }

    [Fact]
    public async Task AConcurrentWriteBetweenReadAndWriteIsReadAndPlannedAgain()
    {
        api.PutNad("default", "blue", Ipam("10.2.0.0/22", "/24"));
        api.Nodes("w1", "x-gone");
        await api.Reconcile();
        api.RemoveNode("x-gone");
        api.Nodes("w3");
        var raced = false;
        api.BeforeEmptinessAnswer = _ =>
        {
            if (raced) return;
            raced = true; // another writer gives w3 the last slice after this pass read the pool
            var pool = api.Pool("blue");
            pool["status"]!["allocations"]!.AsArray().Add(new JsonObject { ["nodeName"] = "w3", ["sliceRange"] = "10.2.3.0/24" });
            api.Server.Put("nodeslicepools", Ns, pool);
        };

        var report = await api.Reconcile();
        Assert.Equal((PoolWrite.Updated, 2), (report.Pool("blue")!.Write, report.Pool("blue")!.Attempts));
        Assert.Equal([("w1", "10.2.0.0/24"), ("", "10.2.1.0/24"), ("w3", "10.2.3.0/24")], api.Allocations("blue"));
    }

    [Fact]
    public async Task APoolNoNadNamesIsDeletedOnceItsIpPoolsAreEmptyAndAPoolItDidNotMakeIsNeverDeleted()
    {
        api.PutNad("default", "blue", Ipam("10.2.0.0/22", "/24"));
        api.Nodes("w1");
        await api.Reconcile();
        api.Server.Put("nodeslicepools", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "upstreams" },
            ["spec"] = new JsonObject { ["range"] = "10.7.0.0/16", ["sliceSize"] = "/24" },
            ["status"] = new JsonObject { ["allocations"] = new JsonArray() },
        });
        api.PutIpPool("blue-w1-10.2.0.0-24", "10.2.0.0/24", addresses: 1);
        Assert.True(api.Server.Delete("network-attachment-definitions", "default", "blue"));

        var kept = await api.Reconcile();
        Assert.Empty(kept.Pools.Select(p => $"{p.PoolName} {p.Write}"));
        Assert.NotNull(api.Server.Get("nodeslicepools", Ns, "blue"));

        api.PutIpPool("blue-w1-10.2.0.0-24", "10.2.0.0/24", addresses: 0);
        var retired = await api.Reconcile();
        Assert.Equal(PoolWrite.Deleted, retired.Pool("blue")!.Write);
        Assert.Null(api.Server.Get("nodeslicepools", Ns, "blue"));
        Assert.NotNull(api.Server.Get("nodeslicepools", Ns, "upstreams"));
    }
}
