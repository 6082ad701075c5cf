using System.Net;
using System.Text.Json.Nodes;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>The no-HTTP helpers tests use to seed and inspect state.</summary>
public sealed class DirectAccessTests
{
    [Fact]
    public async Task Put_seeds_an_object_clients_then_see_with_system_fields()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var seed = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "10.1.0.0-16" },
            ["spec"] = new JsonObject { ["range"] = "10.1.0.0/16", ["allocations"] = new JsonObject() },
        };

        var stored = server.Put("ippools", "kube-system", seed);
        var got = await api.GetAsync(ApiClient.Pools + "/10.1.0.0-16");

        Assert.Equal(HttpStatusCode.OK, got.Status);
        Assert.Equal("IPPool", got.Body!["kind"]!.GetValue<string>());
        Assert.Equal("whereabouts.cni.cncf.io/v1alpha1", got.Body["apiVersion"]!.GetValue<string>());
        Assert.Equal(stored["metadata"]!["resourceVersion"]!.GetValue<string>(), got.ResourceVersion);
        Assert.Equal(server.CurrentResourceVersion, got.Rv);
    }

    [Fact]
    public async Task Get_and_List_return_copies()
    {
        await using var server = await KubeTestServer.StartAsync();
        server.Put("ippools", "kube-system", Pool("a"));
        server.Put("ippools", "kube-system", Pool("b"));
        server.Put("ippools", "other", Pool("c"));

        server.Get("ippools", "kube-system", "a")!["spec"]!["range"] = "changed";

        Assert.Equal("10.0.0.0/24", server.Get("ippools", "kube-system", "a")!["spec"]!["range"]!.GetValue<string>());
        Assert.Equal(["a", "b"], server.List("ippools", "kube-system").Select(o => o["metadata"]!["name"]!.GetValue<string>()));
        Assert.Null(server.Get("ippools", "kube-system", "c"));
        Assert.True(server.Delete("ippools", "other", "c"));
        Assert.False(server.Delete("ippools", "other", "c"));
    }
}
