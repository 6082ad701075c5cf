using System.Globalization;
using System.Text.Json.Nodes;
using Whereabouts.Testing.Etcd;
using Xunit;
using Xunit.Abstractions;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The published controller against the API test server, with allocations made by the published plugin:
/// leaks whose DEL never came are reclaimed, live pods keep their addresses, one of two controllers acts,
/// and a controller killed mid-sweep loses nothing. Times are printed, never asserted (beyond generous
/// waits for something to happen at all).
/// </summary>
public sealed class ControllerEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Ns = "kube-system";
    const string Fast = "--sweep-interval-ms 1500 --grace-period-ms 1000";
    static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    readonly TempDir dir = new();
    KubeTestServer.KubeTestServer server = null!;
    string kubeconfig = "";

    public async Task InitializeAsync()
    {
        server = await KubeTestServer.KubeTestServer.StartAsync();
        kubeconfig = server.WriteKubeconfig(System.IO.Path.Combine(dir.Path, "whereabouts.kubeconfig"), Ns);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }

    string Conf(string range) => PluginBinary.Conf("1.1.0",
        $$$"""{"type":"whereabouts","range":"{{{range}}}","kubernetes":{"kubeconfig":"{{{kubeconfig}}}"}}""");

    /// <summary>A running pod on <paramref name="node"/> with an address from <paramref name="range"/>, given by the plugin.</summary>
    async Task<string> PodWithAddress(string name, string range = "192.168.2.0/24", string node = "node-1", string sandbox = "")
    {
        server.PutPod("default", name, node);
        var add = await Run("ADD", Conf(range), sandbox.Length > 0 ? sandbox : "c-" + name, pod: "default/" + name);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        return JsonNode.Parse(add.Stdout)!["ips"]![0]!["address"]!.GetValue<string>().Split('/')[0];
    }

    /// <summary>podref → container id, of every allocation of every pool.</summary>
    Dictionary<string, string> Holders() =>
        server.List("ippools", Ns).SelectMany(p => p["spec"]!["allocations"]!.AsObject()
                .Select(kv => ((string)kv.Value!["podref"]!, (string)kv.Value!["id"]!)))
            .ToDictionary(x => x.Item1, x => x.Item2);

    HashSet<string> ReservationPods() =>
        server.List("overlappingrangeipreservations", Ns).Select(o => (string)o["spec"]!["podref"]!).ToHashSet();

    static async Task Eventually(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Within;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"not within {Within.TotalSeconds}s: {what}");
            await Task.Delay(50);
        }
    }

    static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + Within;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"not within {Within.TotalSeconds}s: {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task APodDeletedWithoutDelIsReclaimedAndTheOthersKeepTheirs()
    {
        foreach (var p in new[] { "a", "b", "c" }) await PodWithAddress(p);
        await using var controller = await ControllerProcess.Start(kubeconfig, "one", Fast);
        await Task.Delay(2500); // every allocation seen for longer than the grace period
        var deleted = DateTime.UtcNow;
        Assert.True(server.Delete("pods", "default", "a"));
        await Eventually(() => !Holders().ContainsKey("default/a"), "default/a's address reclaimed\n" + controller.Output);
        output.WriteLine($"reclaimed {(DateTime.UtcNow - deleted).TotalMilliseconds:0} ms after the pod was deleted (event path)");
        Assert.Equal(["default/b", "default/c"], Holders().Keys.Order());
        // The reservation goes after the pool write, as DEL orders them.
        await Eventually(() => ReservationPods().SetEquals(["default/b", "default/c"]), "default/a's reservation deleted");
        await Eventually(async () => await controller.Metric("whereabouts_reclaimed_addresses_total{reason=\"pod_gone\"}") == 1, "the reclaim counted");
        await Eventually(() => server.List("events", Ns).Any(e => (string?)e["reason"] == "AddressReclaimed"), "the AddressReclaimed Event");
        var reclaimed = server.List("events", Ns).Where(e => (string?)e["reason"] == "AddressReclaimed").ToList();
        var ev = Assert.Single(reclaimed);
        Assert.Equal("IPPool", (string)ev["involvedObject"]!["kind"]!);
        Assert.Equal("192.168.2.0-24", (string)ev["involvedObject"]!["name"]!);
        Assert.Contains("default/a", (string)ev["message"]!);
    }

    [Fact]
    public async Task ANodeLostTakesItsPodsAndTheirAddressesWithIt()
    {
        foreach (var p in new[] { "n1-a", "n1-b", "n1-c" }) await PodWithAddress(p, node: "node-1");
        foreach (var p in new[] { "n2-a", "n2-b" }) await PodWithAddress(p, node: "node-2");
        await using var controller = await ControllerProcess.Start(kubeconfig, "one", Fast);
        // The node dies: no DEL ever comes for its pods; the API deletes them (pod garbage collection).
        foreach (var p in new[] { "n1-a", "n1-b", "n1-c" }) server.Delete("pods", "default", p);
        await Eventually(() => Holders().Count == 2, "node-1's three addresses reclaimed\n" + controller.Output);
        Assert.Equal(["default/n2-a", "default/n2-b"], Holders().Keys.Order());
        await Eventually(() => ReservationPods().SetEquals(["default/n2-a", "default/n2-b"]), "node-1's reservations deleted");
    }

    [Fact]
    public async Task ATerminatedPodsAddressIsReclaimed()
    {
        await PodWithAddress("job");
        await PodWithAddress("web");
        await using var controller = await ControllerProcess.Start(kubeconfig, "one", Fast);
        server.SetPodPhase("default", "job", "Succeeded");
        await Eventually(() => !Holders().ContainsKey("default/job"), "the terminated pod's address reclaimed\n" + controller.Output);
        Assert.Equal(["default/web"], Holders().Keys);
        // The counter moves after the pool write lands, so it is awaited, not read in the same instant.
        await Eventually(async () => await controller.Metric("whereabouts_reclaimed_addresses_total{reason=\"pod_terminal\"}") == 1, "the reclaim counted");
    }

    [Fact]
    public async Task APodReCreatedWithTheSameNameKeepsItsNewAddress()
    {
        await PodWithAddress("web-0", sandbox: "old-sandbox");
        await using var controller = await ControllerProcess.Start(kubeconfig, "one", Fast);
        await Task.Delay(1500);
        // A StatefulSet pod: deleted without DEL, and re-created at once under the same name on another node.
        server.Delete("pods", "default", "web-0");
        var address = await PodWithAddress("web-0", node: "node-2", sandbox: "new-sandbox");
        await Task.Delay(5000); // several sweeps, each past the grace period
        Assert.Equal("new-sandbox", Holders()["default/web-0"]);
        var pool = server.Get("ippools", Ns, "192.168.2.0-24")!;
        var held = pool["spec"]!["allocations"]!.AsObject().Single(kv => (string)kv.Value!["podref"]! == "default/web-0");
        Assert.Equal(address, "192.168.2." + int.Parse(held.Key, CultureInfo.InvariantCulture));
        Assert.Contains("default/web-0", ReservationPods());
    }

    [Fact]
    public async Task OfTwoControllersOneLeadsAndTheWorkIsDoneOnce()
    {
        foreach (var p in Enumerable.Range(0, 6).Select(i => $"p{i}")) await PodWithAddress(p);
        await using var first = await ControllerProcess.Start(kubeconfig, "first", Fast);
        await using var second = await ControllerProcess.Start(kubeconfig, "second", Fast);
        await Eventually(async () => (await first.Leads()) ^ (await second.Leads()), "exactly one leader");
        foreach (var p in new[] { "p0", "p1", "p2", "p3", "p4" }) server.Delete("pods", "default", p);
        await Eventually(() => Holders().Count == 1, "five addresses reclaimed");
        await Task.Delay(3000); // the standby would have acted by now, had it
        Assert.Equal(5, await first.Reclaimed() + await second.Reclaimed());
        await Eventually(() => server.List("events", Ns).Count(e => (string?)e["reason"] == "AddressReclaimed") == 5, "five AddressReclaimed Events");
        Assert.Equal(5, server.List("events", Ns).Count(e => (string?)e["reason"] == "AddressReclaimed"));
        Assert.True((await first.Leads()) ^ (await second.Leads()));

        // The leader goes away cleanly: the standby takes over and goes on reclaiming.
        var (leader, standby) = await first.Leads() ? (first, second) : (second, first);
        var stopped = DateTime.UtcNow;
        leader.Terminate();
        await leader.WaitForExit();
        Assert.Equal(0, leader.ExitCode);
        await Eventually(standby.Leads, "the standby leads");
        output.WriteLine($"the standby led {(DateTime.UtcNow - stopped).TotalMilliseconds:0} ms after the leader's SIGTERM");
        server.Delete("pods", "default", "p5");
        await Eventually(() => Holders().Count == 0, "the last address reclaimed by the new leader");
    }

    [Fact]
    public async Task AControllerKilledMidSweepLosesNothing()
    {
        var pods = Enumerable.Range(0, 60).Select(i => $"k{i}").ToArray();
        var ranges = new[] { "10.10.0.0/24", "10.11.0.0/24", "10.12.0.0/24" };
        for (var i = 0; i < pods.Length; i++) await PodWithAddress(pods[i], ranges[i % 3]);
        var gone = pods.Where((_, i) => i % 3 != 1).ToArray();
        var live = pods.Except(gone).Select(p => "default/" + p).Order().ToArray();
        foreach (var p in gone) server.Delete("pods", "default", p);

        await using (var doomed = await ControllerProcess.Start(kubeconfig, "doomed", "--sweep-interval-ms 60000 --grace-period-ms 1"))
        {
            await Eventually(() => Holders().Count < pods.Length, "the first release");
            await doomed.Kill();
        }
        output.WriteLine($"killed with {Holders().Count - live.Length} of {gone.Length} leaks left");
        await using var next = await ControllerProcess.Start(kubeconfig, "next", Fast);
        await Eventually(() => Holders().Count == live.Length, "every leak reclaimed after the restart\n" + next.Output);
        Assert.Equal(live, Holders().Keys.Order().ToArray());
        await Eventually(() => ReservationPods().SetEquals(live), "exactly the live pods' reservations left");
    }

    [Fact]
    public async Task MetricsShowEachPoolAndTheLeader()
    {
        await PodWithAddress("m1", "192.168.2.225/28");
        await PodWithAddress("m2", "192.168.2.225/28");
        await using var controller = await ControllerProcess.Start(kubeconfig, "one", Fast);
        await Eventually(async () => await controller.Metric("whereabouts_sweeps_total{result=\"ok\"}") >= 1, "one sweep");
        Assert.Equal(14, await controller.Metric("whereabouts_pool_size{pool=\"192.168.2.224-28\",network=\"\"}"));
        Assert.Equal(2, await controller.Metric("whereabouts_pool_used{pool=\"192.168.2.224-28\",network=\"\"}"));
        Assert.Equal(12, await controller.Metric("whereabouts_pool_free{pool=\"192.168.2.224-28\",network=\"\"}"));
        Assert.Equal(1, await controller.Metric("whereabouts_controller_leader"));
        var text = await controller.Metrics();
        Assert.Contains("whereabouts_sweep_duration_seconds_count", text);
        Assert.Contains("whereabouts_orphaned_reservations_removed_total", text);
        using var http = new HttpClient();
        Assert.Equal("ok", await http.GetStringAsync($"http://127.0.0.1:{controller.MetricsPort}/healthz"));
    }

    [Fact]
    public async Task AnOrphanedReservationIsDeletedAndOnlyThat()
    {
        await PodWithAddress("kept");
        server.Put("overlappingrangeipreservations", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "192.168.2.77" },
            ["spec"] = new JsonObject { ["podref"] = "default/crashed", ["ifname"] = "net1" },
        });
        await using var controller = await ControllerProcess.Start(kubeconfig, "one", Fast);
        await Eventually(() => ReservationPods().SetEquals(["default/kept"]), "the orphan deleted\n" + controller.Output);
        Assert.Equal(["default/kept"], Holders().Keys);
        await Eventually(async () => await controller.Metric("whereabouts_orphaned_reservations_removed_total") == 1, "the removal counted");
    }

    [Fact]
    public async Task PoolsInEtcdAreReclaimedWithPodsFromTheApi()
    {
        await using var etcd = await EtcdServer.Start();
        var conf = PluginBinary.Conf("1.1.0", EtcdStored.Ipam(etcd.Endpoint));
        foreach (var p in new[] { "e1", "e2" })
        {
            server.PutPod("default", p, "node-1");
            var add = await Run("ADD", conf, "c-" + p, pod: "default/" + p);
            Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        }
        await using var controller = await ControllerProcess.Start(kubeconfig, "one", $"{Fast} --datastore etcd --etcd-endpoints {etcd.Endpoint}");
        server.Delete("pods", "default", "e1");
        var until = DateTime.UtcNow + Within;
        while ((await EtcdStored.Allocations(etcd, "192.168.2.224-28")).Count != 1)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("e1's address in etcd reclaimed\n" + controller.Output);
            await Task.Delay(100);
        }
        Assert.Equal("default/e2", (await EtcdStored.Allocations(etcd, "192.168.2.224-28")).Single().PodRef);
        // The reservation goes after the pool write, as DEL orders them.
        until = DateTime.UtcNow + Within;
        while (!(await EtcdStored.ReservationPods(etcd)).Values.SequenceEqual(["default/e2"]))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("e1's reservation in etcd deleted\n" + controller.Output);
            await Task.Delay(100);
        }
    }
}
