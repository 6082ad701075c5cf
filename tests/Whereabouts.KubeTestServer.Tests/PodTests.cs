using System.Net;
using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>core/v1 pods: GET one, LIST per namespace or across all, fieldSelector spec.nodeName, DELETE.</summary>
public sealed class PodTests
{
    static IReadOnlyList<string> Names(JsonObject list) =>
        list["items"]!.AsArray().Select(i => $"{i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]}").ToList();

    [Fact]
    public async Task A_seeded_pod_is_read_back_as_v1_Pod()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.PutPod("default", "web-1", "node-a");

        var reply = await api.GetAsync("api/v1/namespaces/default/pods/web-1");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(("v1", "Pod"), (reply.Body!["apiVersion"]!.GetValue<string>(), reply.Body["kind"]!.GetValue<string>()));
        Assert.Equal("node-a", reply.Body["spec"]!["nodeName"]!.GetValue<string>());
        Assert.Equal("default", reply.Body["metadata"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_pod_is_a_404_Status_naming_it_without_a_group()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var reply = await api.GetAsync("api/v1/namespaces/default/pods/gone");

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \u0022gone\u0022 not found","reason":"NotFound","details":{"name":"gone","kind":"pods"},"code":404}""",
            reply.Body!.ToJsonString());
    }

    [Fact]
    public async Task Lists_are_PodLists_per_namespace_or_across_all_filtered_by_node()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.PutPod("default", "a1", "node-a");
        server.PutPod("default", "b1", "node-b");
        server.PutPod("other", "a2", "node-a");
        server.PutPod("other", "pending", null);

        var all = await api.GetAsync("api/v1/pods");
        Assert.Equal(("v1", "PodList"), (all.Body!["apiVersion"]!.GetValue<string>(), all.Body["kind"]!.GetValue<string>()));
        Assert.Equal(server.CurrentResourceVersion.ToString(), all.Body["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(["default/a1", "default/b1", "other/a2", "other/pending"], Names(all.Body));

        Assert.Equal(["default/a1", "other/a2"], Names((await api.GetAsync("api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a")).Body!));
        Assert.Equal(["default/a1"], Names((await api.GetAsync("api/v1/namespaces/default/pods?fieldSelector=spec.nodeName==node-a")).Body!));
        Assert.Equal(["other/pending"], Names((await api.GetAsync("api/v1/pods?fieldSelector=spec.nodeName=")).Body!));
        Assert.Equal(["default/b1", "other/pending"], Names((await api.GetAsync("api/v1/pods?fieldSelector=spec.nodeName!=node-a")).Body!));
        Assert.Equal(["other/a2"], Names((await api.GetAsync("api/v1/pods?fieldSelector=spec.nodeName=node-a,metadata.namespace=other")).Body!));
        var none = await api.GetAsync("api/v1/namespaces/empty/pods?fieldSelector=spec.nodeName=node-a");
        Assert.Equal(("PodList", 0), (none.Body!["kind"]!.GetValue<string>(), none.Body["items"]!.AsArray().Count));
    }

    [Theory]
    [InlineData("api/v1/pods?fieldSelector=spec.containers=x", "field label not supported: spec.containers")]
    [InlineData("apis/whereabouts.cni.cncf.io/v1alpha1/namespaces/kube-system/ippools?fieldSelector=spec.nodeName=a", "field label not supported: spec.nodeName")]
    [InlineData("api/v1/pods?fieldSelector=nodeName", "invalid selector")]
    public async Task An_unsupported_field_selector_is_400(string path, string message)
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var reply = await api.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("BadRequest", reply.Body!["reason"]!.GetValue<string>());
        Assert.Contains(message, reply.Body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pods_need_the_token_and_other_core_resources_are_not_served()
    {
        await using var server = await KubeTestServer.StartAsync();
        server.PutPod("default", "a1", "node-a");
        using var anonymous = new ApiClient(server, sendToken: false);
        using var api = new ApiClient(server);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/namespaces/default/pods/a1")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync("api/v1/namespaces/default/pods/a1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("api/v1/namespaces/default/secrets/s")).Status);
        Assert.NotNull(server.Get("pods", "default", "a1"));
        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync("api/v1/namespaces/default/pods/a1")).Status);
        Assert.Null(server.Get("pods", "default", "a1"));
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync("api/v1/namespaces/default/pods/a1")).Status);
    }
}
