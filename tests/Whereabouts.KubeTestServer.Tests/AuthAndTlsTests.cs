using System.Net;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

public sealed class AuthAndTlsTests
{
    [Fact]
    public async Task Missing_or_wrong_bearer_token_is_401_Unauthorized_status()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var anonymous = new ApiClient(server, sendToken: false);
        using var wrong = new ApiClient(server, token: "not-the-token");

        foreach (var api in new[] { anonymous, wrong })
        {
            var reply = await api.PostAsync(ApiClient.Pools, Pool("p"));
            Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
            Assert.Equal("Unauthorized", reply.Reason);
            Assert.Equal(401, reply.Body!["code"]!.GetValue<int>());
        }
        Assert.Empty(server.List("ippools", "kube-system"));
    }

    [Fact]
    public async Task Configured_token_is_used()
    {
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { Token = "fixed-token" });
        using var api = new ApiClient(server, token: "fixed-token");

        Assert.Equal("fixed-token", server.Token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ApiClient.Pools)).Status);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_CA_cannot_connect()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var untrusting = new HttpClient { BaseAddress = server.BaseAddress };

        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(ApiClient.Pools));
    }

    [Fact]
    public async Task Base_address_is_https_loopback_and_CA_is_a_PEM_certificate()
    {
        await using var server = await KubeTestServer.StartAsync();

        Assert.Equal("https", server.BaseAddress.Scheme);
        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.NotEqual(0, server.BaseAddress.Port);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", server.CaPem);
    }

    [Fact]
    public async Task A_request_the_authorizer_refuses_is_403_Forbidden_and_changes_nothing()
    {
        // An authorizer that lets the token read pools but write nothing, as an RBAC role with get and list would.
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions
        {
            Authorize = a => a.Verb is "get" or "list" && a.Resource == "ippools",
        });
        using var api = new ApiClient(server);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ApiClient.Pools)).Status);
        var reply = await api.PostAsync(ApiClient.Pools, Pool("p"));
        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal("Forbidden", reply.Reason);
        Assert.Equal(403, reply.Body!["code"]!.GetValue<int>());
        Assert.Equal("ippools.whereabouts.cni.cncf.io is forbidden: User \"token\" cannot create resource \"ippools\" in API group \"whereabouts.cni.cncf.io\" in the namespace \"kube-system\"",
            (string?)reply.Body!["message"]);
        Assert.Empty(server.List("ippools", "kube-system"));
        var denied = Assert.Single(server.Denied);
        Assert.Equal(new RequestAttributes("token", "create", "whereabouts.cni.cncf.io", "ippools", "kube-system", null), denied);
    }
}
