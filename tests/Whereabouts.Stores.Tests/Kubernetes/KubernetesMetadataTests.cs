using System.Text.Json.Nodes;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.Kubernetes;
using Xunit;

namespace Whereabouts.Stores.Tests.Kubernetes;

/// <summary>
/// A replace carries the object's metadata forward from the snapshot it was built on, not from anything the
/// store instance remembers: the store that writes need not be the one that read.
/// </summary>
public sealed class KubernetesMetadataTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    static readonly Cidr Range = Cidr.Parse("10.40.0.0/28").IfFail(default(Cidr));

    [Fact]
    public async Task AReplaceByAFreshStoreKeepsLabelsAnnotationsAndOwnerReferences()
    {
        var ns = KubeServerFixture.FreshNamespace();
        var key = PoolKey.For(Range, "meta");
        fixture.Server.Put("ippools", ns, new JsonObject
        {
            ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
            ["kind"] = "IPPool",
            ["metadata"] = new JsonObject
            {
                ["name"] = key.Name,
                ["labels"] = new JsonObject { ["team"] = "net" },
                ["annotations"] = new JsonObject { ["note"] = "kept" },
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["name"] = "owner", ["uid"] = "u-1" }),
            },
            ["spec"] = new JsonObject { ["range"] = "10.40.0.0/28", ["allocations"] = new JsonObject() },
        });
        PoolSnapshot read;
        await using (var reader = fixture.Open(ns)) read = await reader.LoadPool(key, default);

        await using var writer = fixture.Open(ns);
        var next = read.State.With(new Allocation(1, new Owner("cid", "default/p", "net1")));
        Assert.Equal(ApplyResult.Applied, await writer.Apply(new StoreOp.ReplacePool(read, next), default));

        var meta = fixture.Server.Get("ippools", ns, key.Name)!["metadata"]!;
        Assert.Equal("net", (string)meta["labels"]!["team"]!);
        Assert.Equal("kept", (string)meta["annotations"]!["note"]!);
        Assert.Equal("u-1", (string)meta["ownerReferences"]![0]!["uid"]!);
        Assert.Single((await writer.LoadPool(key, default)).State.Allocations);
    }
}

/// <summary>Scoping the process's TLS trust is the opener's choice: the store only calls the hook it is given.</summary>
public sealed class KubernetesStoreHooksTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    [Fact]
    public async Task AKubeconfigWithItsOwnCaHandsTheCustomRootHookItsTurn()
    {
        var ns = KubeServerFixture.FreshNamespace();
        var path = fixture.Kubeconfig(ns);
        var calls = new List<string>();
        await using (var hooked = KubernetesPoolStore.Open(path, Log.Silent, new StoreHooks(calls.Add)))
            await hooked.Ping(default);
        Assert.Equal([""], calls);
    }
}
