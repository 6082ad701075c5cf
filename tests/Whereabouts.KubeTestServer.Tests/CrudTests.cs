using System.Net;
using System.Text.Json.Nodes;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

public sealed class CrudTests
{
    [Fact]
    public async Task Create_sets_system_metadata_and_get_returns_it()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var created = await api.PostAsync(ApiClient.Pools, Pool("10.0.0.0-24"));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var meta = created.Body!["metadata"]!;
        Assert.Equal("kube-system", meta["namespace"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(meta["uid"]!.GetValue<string>()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", meta["creationTimestamp"]!.GetValue<string>());
        Assert.Equal(1, meta["generation"]!.GetValue<long>());
        Assert.Equal("IPPool", created.Body["kind"]!.GetValue<string>());
        Assert.Equal("whereabouts.cni.cncf.io/v1alpha1", created.Body["apiVersion"]!.GetValue<string>());

        var got = await api.GetAsync(ApiClient.Pools + "/10.0.0.0-24");
        Assert.Equal(HttpStatusCode.OK, got.Status);
        Assert.True(JsonNode.DeepEquals(created.Body, got.Body));
    }

    [Fact]
    public async Task Get_missing_is_404_NotFound_status()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var reply = await api.GetAsync(ApiClient.Pools + "/nope");

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("Status", reply.Body!["kind"]!.GetValue<string>());
        Assert.Equal("v1", reply.Body["apiVersion"]!.GetValue<string>());
        Assert.Equal("Failure", reply.Body["status"]!.GetValue<string>());
        Assert.Equal("NotFound", reply.Reason);
        Assert.Equal("ippools.whereabouts.cni.cncf.io \"nope\" not found", reply.Message);
        Assert.Equal(404, reply.Body["code"]!.GetValue<int>());
        var details = reply.Body["details"]!;
        Assert.Equal("nope", details["name"]!.GetValue<string>());
        Assert.Equal("whereabouts.cni.cncf.io", details["group"]!.GetValue<string>());
        Assert.Equal("ippools", details["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_existing_name_is_409_AlreadyExists()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await api.PostAsync(ApiClient.Pools, Pool("p"));

        var again = await api.PostAsync(ApiClient.Pools, Pool("p", "10.9.0.0/16"));

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("AlreadyExists", again.Reason);
        Assert.Equal("ippools.whereabouts.cni.cncf.io \"p\" already exists", again.Message);
        Assert.Equal("10.0.0.0/24", server.Get("ippools", "kube-system", "p")!["spec"]!["range"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_rejects_what_the_apiserver_rejects()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var noKind = Pool("a");
        noKind.Remove("kind");
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync(ApiClient.Pools, noKind)).Status);

        var noName = Pool("");
        var invalid = await api.PostAsync(ApiClient.Pools, noName);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.Status);
        Assert.Equal("Invalid", invalid.Reason);

        var otherNs = Pool("b");
        otherNs["metadata"]!["namespace"] = "default";
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync(ApiClient.Pools, otherNs)).Status);

        var withRv = Pool("c", resourceVersion: "5");
        Assert.Equal(HttpStatusCode.InternalServerError, (await api.PostAsync(ApiClient.Pools, withRv)).Status);

        Assert.Empty(server.List("ippools", "kube-system"));
    }

    [Fact]
    public async Task GenerateName_gets_a_random_suffix()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var body = Pool("");
        body["metadata"]!["generateName"] = "pool-";

        var created = await api.PostAsync(ApiClient.Pools, body);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Matches("^pool-[a-z0-9]{5}$", created.Body!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_has_list_kind_items_and_current_resource_version()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var empty = await api.GetAsync(ApiClient.Pools);
        Assert.Equal("IPPoolList", empty.Body!["kind"]!.GetValue<string>());
        Assert.Empty(empty.Body["items"]!.AsArray());
        Assert.Equal("0", empty.ResourceVersion);

        await api.PostAsync(ApiClient.Pools, Pool("b"));
        await api.PostAsync(ApiClient.Pools, Pool("a"));
        await api.PostAsync("apis/whereabouts.cni.cncf.io/v1alpha1/namespaces/other/ippools", Pool("c"));

        var list = await api.GetAsync(ApiClient.Pools);
        var names = list.Body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(["a", "b"], names);
        Assert.Equal(server.CurrentResourceVersion, list.Rv);
        Assert.All(list.Body["items"]!.AsArray(), i => Assert.Equal("IPPool", i!["kind"]!.GetValue<string>()));

        var all = await api.GetAsync("apis/whereabouts.cni.cncf.io/v1alpha1/ippools");
        Assert.Equal(3, all.Body!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Delete_returns_success_status_then_404()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Reservations, Reservation("10.0.0.5"));

        var deleted = await api.DeleteAsync(ApiClient.Reservations + "/10.0.0.5");

        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal("Success", deleted.Body!["status"]!.GetValue<string>());
        Assert.Equal(created.Body!["metadata"]!["uid"]!.GetValue<string>(), deleted.Body["details"]!["uid"]!.GetValue<string>());
        Assert.Null(server.Get("overlappingrangeipreservations", "kube-system", "10.0.0.5"));

        var again = await api.DeleteAsync(ApiClient.Reservations + "/10.0.0.5");
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
        Assert.Equal("NotFound", again.Reason);
    }

    [Fact]
    public async Task Unknown_route_is_404()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var reply = await api.GetAsync("api/v1/namespaces/default/pods/x/y/z");

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("NotFound", reply.Reason);
    }
}
