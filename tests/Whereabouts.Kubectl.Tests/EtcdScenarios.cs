using Snapshooter;
using Snapshooter.Xunit;
using Whereabouts.Testing.Etcd;

namespace Whereabouts.Kubectl.Tests;

/// <summary>
/// Every command against a real etcd (the pools and reservations; pods still from the API test server), through
/// the etcd store the plugin uses: /whereabouts/ippools/NAME and /whereabouts/overlappingrangeipreservations/NAME.
/// </summary>
public sealed class EtcdScenarios : IAsyncLifetime
{
    EtcdServer etcd = null!;
    World world = null!;

    public async Task InitializeAsync()
    {
        etcd = await EtcdServer.Start();
        world = await World.Empty();
        world.Pod("web-1", "worker-1", "Running", TimeSpan.FromDays(1));
        var web1 = World.ContainerId("web-1");
        var gone = World.ContainerId("gone");
        // As upstream writes an IPv6 pool: offsets past 2^63 as negative int64s, no ifname.
        await etcd.Put("/whereabouts/ippools/10.20.0.0-24",
            $$$$"""{"range":"10.20.0.0/24","allocations":{"1":{"id":"{{{{web1}}}}","podref":"default/web-1","ifname":"net1"},"3":{"id":"{{{{gone}}}}","podref":"default/gone","ifname":"net1"}}}""");
        await etcd.Put("/whereabouts/ippools/fd00-20---64",
            $$$$"""{"range":"fd00:20::/64","allocations":{"-9223372036854775803":{"id":"{{{{web1}}}}","podref":"default/web-1"}}}""");
        await etcd.Put("/whereabouts/overlappingrangeipreservations/10.20.0.1", """{"containerid":"","podref":"default/web-1","ifname":"net1"}""");
        await etcd.Put("/whereabouts/overlappingrangeipreservations/10.20.0.3", """{"containerid":"","podref":"default/gone","ifname":"net1"}""");
        await etcd.Put("/whereabouts/overlappingrangeipreservations/fd00-20--8000-0-0-5", """{"containerid":"","podref":"default/web-1","ifname":""}""");
    }

    public async Task DisposeAsync()
    {
        await world.DisposeAsync();
        await etcd.DisposeAsync();
    }

    Task<Run> Run(params string[] args) => world.Run([.. args, "--etcd-endpoints", etcd.Endpoint]);

    [Fact]
    public async Task PoolsShowAndCheckReadEtcd()
    {
        var pools = await Run("pools");
        var show = await Run("show", "default/web-1");
        var check = await Run("check");
        Snapshot.Match(pools.Transcript + show.Transcript + check.Transcript);
    }

    [Fact]
    public async Task PoolsNeedNoApiServer()
    {
        var run = await Kubectl.RunWith(new Dictionary<string, string> { ["HOME"] = "/nonexistent" }, ["pools", "-o", "json", "--etcd-endpoints", etcd.Endpoint]);
        Assert.Equal(ExitCodes.Ok, run.Code);
        Assert.Contains("fd00-20---64", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseWritesEtcdThroughTheStore()
    {
        var run = await Run("release", "default/gone");
        Assert.Equal(ExitCodes.Ok, run.Code);
        Assert.DoesNotContain("\"3\"", await etcd.Get("/whereabouts/ippools/10.20.0.0-24"), StringComparison.Ordinal);
        Assert.Null(await etcd.Get("/whereabouts/overlappingrangeipreservations/10.20.0.3"));
        Assert.Equal(ExitCodes.Ok, (await Run("check")).Code);
    }

    [Fact]
    public async Task ImportWritesEtcdThroughTheStore()
    {
        var dir = Path.Combine(Path.GetTempPath(), "wb-host-local-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "10.20.0.9"), "abc\r\nnet1");
        var run = await Run("import", "--from-host-local", dir, "--range", "10.20.0.0/24");
        Directory.Delete(dir, true);
        Assert.Equal(ExitCodes.Ok, run.Code);
        Assert.Contains("\"9\":{\"id\":\"abc\"", await etcd.Get("/whereabouts/ippools/10.20.0.0-24"), StringComparison.Ordinal);
        Assert.NotNull(await etcd.Get("/whereabouts/overlappingrangeipreservations/10.20.0.9"));
    }
}
