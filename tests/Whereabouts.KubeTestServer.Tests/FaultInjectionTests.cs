using System.Diagnostics;
using System.Net;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task Rate_429_answers_TooManyRequests_with_Retry_After_and_does_not_apply()
    {
        await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { Seed = 1 });
        using var api = new ApiClient(server);
        server.Faults.FailureRate429 = 1;

        var reply = await api.PostAsync(ApiClient.Pools, Pool("p"));

        Assert.Equal(HttpStatusCode.TooManyRequests, reply.Status);
        Assert.Equal("TooManyRequests", reply.Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), reply.Headers.RetryAfter?.Delta);
        Assert.Empty(server.List("ippools", "kube-system"));
    }

    [Fact]
    public async Task Rate_500_answers_InternalError_and_does_not_apply()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.FailureRate500 = 1;

        var reply = await api.PostAsync(ApiClient.Pools, Pool("p"));

        Assert.Equal(HttpStatusCode.InternalServerError, reply.Status);
        Assert.Equal("InternalError", reply.Reason);
        Assert.Empty(server.List("ippools", "kube-system"));
        Assert.Equal(0, server.CurrentResourceVersion);
    }

    [Fact]
    public async Task Dropped_connection_raises_HttpRequestException_and_does_not_apply()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.DropConnectionRate = 1;

        await Assert.ThrowsAsync<HttpRequestException>(() => api.PostAsync(ApiClient.Pools, Pool("p")));
        await Assert.ThrowsAsync<HttpRequestException>(() => api.GetAsync(ApiClient.Pools));

        Assert.Empty(server.List("ippools", "kube-system"));
        server.Faults.Reset();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ApiClient.Pools)).Status);
    }

    [Fact]
    public async Task Apply_then_drop_commits_the_write_but_the_client_sees_an_error()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.FailAfterApplyRate = 1;

        await Assert.ThrowsAsync<HttpRequestException>(() => api.PostAsync(ApiClient.Pools, Pool("p")));
        Assert.NotNull(server.Get("ippools", "kube-system", "p"));

        // Reads are never hit by the after-apply fault.
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ApiClient.Pools + "/p")).Status);
    }

    [Fact]
    public async Task FailNext_scripts_one_fault_for_one_verb()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.PostAsync(ApiClient.Pools, Pool("p"));
        server.Faults.FailNext(KubeVerbs.Update, FaultKind.InternalServerError);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ApiClient.Pools + "/p")).Status);
        var first = await api.PutAsync(ApiClient.Pools + "/p", Allocate(created.Body!, "1", "default/a"));
        var second = await api.PutAsync(ApiClient.Pools + "/p", Allocate(created.Body!, "1", "default/a"));

        Assert.Equal(HttpStatusCode.InternalServerError, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
    }

    [Fact]
    public async Task Verb_filter_limits_random_faults()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.Verbs = new HashSet<string> { KubeVerbs.Create };
        server.Faults.FailureRate500 = 1;

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ApiClient.Pools)).Status);
        Assert.Equal(HttpStatusCode.InternalServerError, (await api.PostAsync(ApiClient.Pools, Pool("p"))).Status);
    }

    [Fact]
    public async Task Latency_delays_each_request()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await api.GetAsync(ApiClient.Pools); // warm the TLS connection so only latency is timed
        server.Faults.Latency = TimeSpan.FromMilliseconds(200);

        var watch = Stopwatch.StartNew();
        await api.GetAsync(ApiClient.Pools);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(180), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Same_seed_gives_the_same_fault_sequence()
    {
        async Task<string> Run()
        {
            await using var server = await KubeTestServer.StartAsync(new KubeTestServerOptions { Seed = 42 });
            using var api = new ApiClient(server);
            server.Faults.FailureRate500 = 0.5;
            var codes = new List<int>();
            for (var i = 0; i < 20; i++) codes.Add((int)(await api.GetAsync(ApiClient.Pools)).Status);
            return string.Join(",", codes);
        }

        var first = await Run();
        Assert.Equal(first, await Run());
        Assert.Contains("500", first);
        Assert.Contains("200", first);
    }

    [Fact]
    public async Task Request_counts_are_kept_per_verb_and_resource()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        var created = await api.PostAsync(ApiClient.Pools, Pool("p"));
        await api.GetAsync(ApiClient.Pools + "/p");
        await api.GetAsync(ApiClient.Pools + "/p");
        await api.PutAsync(ApiClient.Pools + "/p", Allocate(created.Body!, "1", "default/a"));
        await api.PostAsync(ApiClient.Reservations, Reservation("10.0.0.1"));
        await api.DeleteAsync(ApiClient.Reservations + "/10.0.0.1");

        Assert.Equal(2, server.RequestCount(KubeVerbs.Create));
        Assert.Equal(1, server.RequestCount(KubeVerbs.Create, "ippools"));
        Assert.Equal(2, server.RequestCount(KubeVerbs.Get));
        Assert.Equal(1, server.RequestCount(KubeVerbs.Update));
        Assert.Equal(1, server.RequestCount(KubeVerbs.Delete, "overlappingrangeipreservations"));
        Assert.Equal(0, server.RequestCount(KubeVerbs.List));

        server.ResetRequestCounts();
        Assert.Equal(0, server.RequestCount(KubeVerbs.Get));
    }

    [Fact]
    public async Task A_drop_on_a_reused_connection_surfaces_once_and_is_not_silently_retried()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        await api.GetAsync(ApiClient.Pools); // the next request reuses this pooled connection
        server.ResetRequestCounts();
        server.Faults.FailNext(KubeVerbs.Create, FaultKind.DropConnection);

        await Assert.ThrowsAsync<HttpRequestException>(() => api.PostAsync(ApiClient.Pools, Pool("p")));

        Assert.Equal(1, server.RequestCount(KubeVerbs.Create));
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync(ApiClient.Pools, Pool("p"))).Status);
    }

    [Fact]
    public async Task Dispose_is_quick_even_with_a_request_parked_in_latency()
    {
        var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.Latency = TimeSpan.FromMinutes(5);
        var pending = api.GetAsync(ApiClient.Pools);
        await Task.Delay(100);

        var watch = Stopwatch.StartNew();
        await server.DisposeAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"took {watch.Elapsed}");
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
    }
}
