using System.Net;
using System.Text.Json.Nodes;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>Compare-and-swap semantics whereabouts relies on for IP allocation safety.</summary>
public sealed class OptimisticConcurrencyTests
{
    [Fact]
    public async Task Replace_with_current_resource_version_succeeds_and_bumps_it()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Pool("p"));

        var replaced = await api.PutAsync(ApiClient.Pools + "/p", Allocate(created.Body!, "1", "default/a"));

        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.True(replaced.Rv > created.Rv);
        Assert.Equal(2, replaced.Body!["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal("default/a", server.Get("ippools", "kube-system", "p")!["spec"]!["allocations"]!["1"]!["podref"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replace_with_stale_resource_version_is_409_Conflict_and_changes_nothing()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Pool("x"));
        await api.PutAsync(ApiClient.Pools + "/x", Allocate(created.Body!, "1", "default/winner"));

        var stale = await api.PutAsync(ApiClient.Pools + "/x", Allocate(created.Body!, "1", "default/loser"));

        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal("Conflict", stale.Reason);
        Assert.Equal(
            "Operation cannot be fulfilled on ippools.whereabouts.cni.cncf.io \"x\": the object has been modified; please apply your changes to the latest version and try again",
            stale.Message);
        Assert.Equal(409, stale.Body!["code"]!.GetValue<int>());
        Assert.Equal("default/winner", server.Get("ippools", "kube-system", "x")!["spec"]!["allocations"]!["1"]!["podref"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replace_without_resource_version_is_422_like_a_real_CR_and_allowed_when_opted_in()
    {
        await using (var strict = await KubeTestServer.StartAsync())
        {
            using var api = new ApiClient(strict);
            await api.PostAsync(ApiClient.Pools, Pool("p"));
            var reply = await api.PutAsync(ApiClient.Pools + "/p", Pool("p", "10.1.0.0/24"));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
            Assert.Equal("Invalid", reply.Reason);
            Assert.Contains("metadata.resourceVersion", reply.Message);
        }

        await using var lenient = await KubeTestServer.StartAsync(new KubeTestServerOptions { AllowUnconditionalUpdate = true });
        using var api2 = new ApiClient(lenient);
        await api2.PostAsync(ApiClient.Pools, Pool("p"));
        var blind = await api2.PutAsync(ApiClient.Pools + "/p", Pool("p", "10.1.0.0/24"));
        Assert.Equal(HttpStatusCode.OK, blind.Status);
        Assert.Equal("10.1.0.0/24", blind.Body!["spec"]!["range"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replace_missing_is_404_and_name_mismatch_is_400()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        Assert.Equal(HttpStatusCode.NotFound, (await api.PutAsync(ApiClient.Pools + "/gone", Pool("gone", resourceVersion: "1"))).Status);

        var created = await api.PostAsync(ApiClient.Pools, Pool("a"));
        var renamed = created.Body!.DeepClone().AsObject();
        renamed["metadata"]!["name"] = "b";
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PutAsync(ApiClient.Pools + "/a", renamed)).Status);
    }

    [Fact]
    public async Task No_op_replace_keeps_the_resource_version_like_etcd()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Pool("p"));

        var same = await api.PutAsync(ApiClient.Pools + "/p", created.Body!);

        Assert.Equal(HttpStatusCode.OK, same.Status);
        Assert.Equal(created.ResourceVersion, same.ResourceVersion);
    }

    [Fact]
    public async Task Delete_preconditions_on_uid_and_resource_version_are_enforced()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Reservations, Reservation("10.0.0.7"));
        var uid = created.Body!["metadata"]!["uid"]!.GetValue<string>();

        var wrongUid = await api.DeleteAsync(ApiClient.Reservations + "/10.0.0.7", DeleteOptions(uid: "other-uid"));
        Assert.Equal(HttpStatusCode.Conflict, wrongUid.Status);
        Assert.Equal("Conflict", wrongUid.Reason);
        Assert.Contains("Precondition failed: UID in precondition: other-uid", wrongUid.Message);

        var wrongRv = await api.DeleteAsync(ApiClient.Reservations + "/10.0.0.7", DeleteOptions(resourceVersion: "999"));
        Assert.Equal(HttpStatusCode.Conflict, wrongRv.Status);
        Assert.Contains("Precondition failed: ResourceVersion in precondition: 999", wrongRv.Message);
        Assert.NotNull(server.Get("overlappingrangeipreservations", "kube-system", "10.0.0.7"));

        var ok = await api.DeleteAsync(ApiClient.Reservations + "/10.0.0.7", DeleteOptions(uid, created.ResourceVersion));
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Null(server.Get("overlappingrangeipreservations", "kube-system", "10.0.0.7"));
    }

    [Fact]
    public async Task Resource_version_is_one_global_strictly_increasing_counter()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var seen = new List<long>();

        var pool = await api.PostAsync(ApiClient.Pools, Pool("p1"));
        seen.Add(pool.Rv);
        seen.Add((await api.PostAsync(ApiClient.Reservations, Reservation("10.0.0.1"))).Rv);
        seen.Add((await api.PostAsync(ApiClient.Pools, Pool("p2"))).Rv);
        seen.Add((await api.PutAsync(ApiClient.Pools + "/p1", Allocate(pool.Body!, "1", "default/a"))).Rv);
        await api.DeleteAsync(ApiClient.Reservations + "/10.0.0.1");
        seen.Add((await api.PostAsync(ApiClient.Reservations, Reservation("10.0.0.1"))).Rv);

        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.True(seen[^1] - seen[^2] >= 2, "the delete in between consumed a revision");
        Assert.Equal(server.CurrentResourceVersion, (await api.GetAsync(ApiClient.Pools)).Rv);
    }

    [Fact]
    public async Task Concurrent_read_modify_write_loses_no_update()
    {
        await using var server = await KubeTestServer.StartAsync();
        server.Put("ippools", "kube-system", Pool("shared"));
        const int writers = 8, perWriter = 10;

        async Task Writer(int id)
        {
            using var api = new ApiClient(server);
            for (var i = 0; i < perWriter; i++)
            {
                for (var attempt = 0; ; attempt++)
                {
                    Assert.True(attempt < 1000, "CAS loop did not converge");
                    var current = await api.GetAsync(ApiClient.Pools + "/shared");
                    var next = Allocate(current.Body!, $"{id}-{i}", $"default/w{id}");
                    var put = await api.PutAsync(ApiClient.Pools + "/shared", next);
                    if (put.Status == HttpStatusCode.OK) break;
                    Assert.Equal(HttpStatusCode.Conflict, put.Status);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(Writer));

        var allocations = server.Get("ippools", "kube-system", "shared")!["spec"]!["allocations"]!.AsObject();
        Assert.Equal(writers * perWriter, allocations.Count);
    }
}
