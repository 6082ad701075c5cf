using System.Net;
using System.Text.Json.Nodes;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>
/// Objects that outgrow etcd's request limit are refused as the apiserver refuses them: the 500 Status it
/// passes on from etcd, byte for byte as logged in kubernetes/kubernetes#74600 (no reason, no details), and
/// nothing stored; bodies over the apiserver's own limit get 413 RequestEntityTooLarge.
/// </summary>
public sealed class SizeLimitTests
{
    static JsonObject Grown(JsonObject pool, int allocations)
    {
        for (var i = 1; i <= allocations; i++) pool = Allocate(pool, i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"default/pod-{i}");
        return pool;
    }

    [Fact]
    public async Task An_object_over_the_etcd_limit_is_a_bare_500_and_is_not_stored()
    {
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { MaxObjectBytes = 1000 });
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Pool("10.0.0.0-24"));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var revision = server.CurrentResourceVersion;

        var grown = Grown(created.Body!, 20);
        var replaced = await api.PutAsync(ApiClient.Pools + "/10.0.0.0-24", grown);
        var tooBig = await api.PostAsync(ApiClient.Pools, Grown(Pool("10.0.1.0-24"), 20));

        foreach (var reply in new[] { replaced, tooBig })
        {
            Assert.Equal(HttpStatusCode.InternalServerError, reply.Status);
            Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"etcdserver: request is too large","code":500}""",
                reply.Body!.ToJsonString());
        }
        Assert.Equal(revision, server.CurrentResourceVersion);
        Assert.Empty(server.Get("ippools", ApiClient.Ns, "10.0.0.0-24")!["spec"]!["allocations"]!.AsObject());
        Assert.Null(server.Get("ippools", ApiClient.Ns, "10.0.1.0-24"));
    }

    [Fact]
    public async Task A_body_over_the_apiserver_limit_is_413()
    {
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { MaxRequestBodyBytes = 1000 });
        using var api = new ApiClient(server);

        var reply = await api.PostAsync(ApiClient.Pools, Grown(Pool("10.0.0.0-24"), 20));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Request entity too large: limit is 1000","reason":"RequestEntityTooLarge","code":413}""",
            reply.Body!.ToJsonString());
        Assert.Null(server.Get("ippools", ApiClient.Ns, "10.0.0.0-24"));
    }
}
