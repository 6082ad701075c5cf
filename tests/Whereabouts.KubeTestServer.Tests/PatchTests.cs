using System.Net;
using System.Text.Json.Nodes;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

public sealed class PatchTests
{
    private const string Merge = "application/merge-patch+json";
    private const string Json = "application/json-patch+json";

    [Fact]
    public async Task Merge_patch_adds_and_removes_fields()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Allocate(Pool("p"), "1", "default/a"));

        var patch = JsonNode.Parse("""{"spec":{"allocations":{"1":null,"2":{"id":"c2","podref":"default/b"}}}}""")!;
        var patched = await api.PatchAsync(ApiClient.Pools + "/p", patch, Merge);

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        var allocations = patched.Body!["spec"]!["allocations"]!.AsObject();
        Assert.False(allocations.ContainsKey("1"));
        Assert.Equal("default/b", allocations["2"]!["podref"]!.GetValue<string>());
        Assert.True(patched.Rv > created.Rv);
    }

    [Fact]
    public async Task Merge_patch_carrying_a_stale_resource_version_is_409()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Pool("p"));
        await api.PutAsync(ApiClient.Pools + "/p", Allocate(created.Body!, "1", "default/a"));

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = created.ResourceVersion },
            ["spec"] = new JsonObject { ["range"] = "10.9.0.0/24" },
        };
        var reply = await api.PatchAsync(ApiClient.Pools + "/p", patch, Merge);

        Assert.Equal(HttpStatusCode.Conflict, reply.Status);
        Assert.Equal("10.0.0.0/24", server.Get("ippools", "kube-system", "p")!["spec"]!["range"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_patch_applies_ops_and_a_failed_test_op_rejects_the_whole_patch()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await api.PostAsync(ApiClient.Pools, Pool("p"));

        var ok = JsonNode.Parse("""
            [{"op":"test","path":"/spec/range","value":"10.0.0.0/24"},
             {"op":"add","path":"/spec/allocations/5","value":{"id":"c5","podref":"default/e"}}]
            """)!;
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync(ApiClient.Pools + "/p", ok, Json)).Status);

        var bad = JsonNode.Parse("""
            [{"op":"remove","path":"/spec/allocations/5"},
             {"op":"test","path":"/spec/range","value":"192.168.0.0/24"}]
            """)!;
        var rejected = await api.PatchAsync(ApiClient.Pools + "/p", bad, Json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejected.Status);
        Assert.NotNull(server.Get("ippools", "kube-system", "p")!["spec"]!["allocations"]!["5"]);
    }

    [Fact]
    public async Task Strategic_merge_patch_is_unsupported_for_custom_resources()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await api.PostAsync(ApiClient.Pools, Pool("p"));

        var reply = await api.PatchAsync(ApiClient.Pools + "/p", new JsonObject(), "application/strategic-merge-patch+json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, reply.Status);
    }
}
