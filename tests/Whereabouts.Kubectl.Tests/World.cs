using System.Text.Json.Nodes;
using Whereabouts.KubeTestServer;

namespace Whereabouts.Kubectl.Tests;

/// <summary>
/// A cluster on the API test server with one of each inconsistency planted, among healthy pools:
/// <code>
///   10.10.0.0-24        .1 web-1   .2 web-2 (no reservation)   .3 gone-pod (no pod)   .4 done (Succeeded)   .255 web-3 (broadcast)
///   10.10.0.0-16        .1 db-1 (10.10.0.1 again; its reservation is web-1's)   10.10.1.44 db-1 net2
///   blue-fd00-10---64   written by upstream: offset -9223372036854775803 (2^63+5) web-1, .7 web-2 (its NAD excludes it), no ifname
///   green-worker-1-10.30.1.0-24   worker-1's slice of NodeSlicePool green: .1 web-1 net3
///   red-10.40.0.0-28    empty
///   reservation 10.10.0.50 (ghost): no pool holds it
/// </code>
/// </summary>
public sealed class World : IAsyncDisposable
{
    public const string Namespace = "kube-system";

    public KubeTestServer.KubeTestServer Server { get; }
    public string Kubeconfig { get; }
    readonly string dir;

    World(KubeTestServer.KubeTestServer server, string dir)
    {
        Server = server;
        this.dir = dir;
        Kubeconfig = server.WriteKubeconfig(Path.Combine(dir, "kubeconfig"), Namespace);
    }

    /// <summary>An API server with nothing in it.</summary>
    public static async Task<World> Empty()
    {
        var dir = Path.Combine(Path.GetTempPath(), "wb-kubectl-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return new World(await KubeTestServer.KubeTestServer.StartAsync(new KubeTestServerOptions { Time = new FixedClock(FixedClock.Noon) }), dir);
    }

    public static async Task<World> Planted()
    {
        var w = await Empty();
        w.Pool("10.10.0.0-24", "10.10.0.0/24",
            ("1", Owner("web-1", "net1")), ("2", Owner("web-2", "net1")), ("3", Owner("gone-pod", "net1")), ("4", Owner("done", "net1")), ("255", Owner("web-3", "net1")));
        w.Pool("10.10.0.0-16", "10.10.0.0/16", ("1", Owner("db-1", "net1")), ("300", Owner("db-1", "net2")));
        w.Pool("blue-fd00-10---64", "fd00:10::/64", ("-9223372036854775803", Owner("web-1", null)), ("7", Owner("web-2", null)));
        w.Pool("green-worker-1-10.30.1.0-24", "10.30.1.0/24", ("1", Owner("web-1", "net3")));
        w.Pool("red-10.40.0.0-28", "10.40.0.0/28");
        foreach (var (name, pod, ifname) in new[]
                 {
                     ("10.10.0.1", "web-1", "net1"), ("10.10.0.3", "gone-pod", "net1"), ("10.10.0.4", "done", "net1"), ("10.10.0.255", "web-3", "net1"),
                     ("10.10.1.44", "db-1", "net2"), ("10.10.0.50", "ghost", "net1"), ("blue-fd00-10--8000-0-0-5", "web-1", ""), ("blue-fd00-10--7", "web-2", ""),
                     ("green-10.30.1.1", "web-1", "net3"),
                 })
            w.Reservation(name, pod, ifname);
        w.Server.Put("nodeslicepools", Namespace, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "green" },
            ["spec"] = new JsonObject { ["range"] = "10.30.0.0/16", ["sliceSize"] = "/24" },
            ["status"] = new JsonObject { ["allocations"] = new JsonArray(
                new JsonObject { ["nodeName"] = "worker-1", ["sliceRange"] = "10.30.1.0/24" },
                new JsonObject { ["nodeName"] = "worker-2", ["sliceRange"] = "10.30.2.0/24" }) },
        });
        // The NAD of network blue excludes fd00:10::7, which web-2 holds all the same.
        w.Server.Put("network-attachment-definitions", "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "blue-net" },
            ["spec"] = new JsonObject { ["config"] = """
                {"cniVersion": "0.3.1", "name": "blue-net", "type": "macvlan", "master": "eth0",
                 "ipam": {"type": "whereabouts", "range": "fd00:10::/64", "network_name": "blue", "exclude": ["fd00:10::7/128"]}}
                """ },
        });
        w.Pod("web-1", "worker-1", "Running", TimeSpan.FromDays(3));
        w.Pod("web-2", "worker-2", "Running", TimeSpan.FromHours(5) + TimeSpan.FromMinutes(20));
        w.Pod("web-3", "worker-1", "Running", TimeSpan.FromSeconds(45));
        w.Pod("db-1", "worker-2", "Running", TimeSpan.FromMinutes(12));
        w.Pod("done", "worker-1", "Succeeded", TimeSpan.FromHours(2));
        return w;
    }

    /// <summary>A container ID as runtimes make them (64 hex digits), derived from the pod so snapshots stay fixed.</summary>
    public static string ContainerId(string pod) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(pod)));

    static JsonObject Owner(string pod, string? ifname)
    {
        var o = new JsonObject { ["id"] = ContainerId(pod), ["podref"] = "default/" + pod };
        if (ifname is not null) o["ifname"] = ifname;
        return o;
    }

    public void Pool(string name, string range, params (string Key, JsonObject Owner)[] allocations) =>
        Server.Put("ippools", Namespace, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["range"] = range, ["allocations"] = new JsonObject(allocations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Owner))) },
        });

    /// <summary>A reservation as upstream writes it: pod reference and interface, no container ID.</summary>
    public void Reservation(string name, string pod, string ifname) =>
        Server.Put("overlappingrangeipreservations", Namespace, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["podref"] = "default/" + pod, ["ifname"] = ifname },
        });

    public void Pod(string name, string node, string phase, TimeSpan age) =>
        Server.Put("pods", "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["creationTimestamp"] = (FixedClock.Noon - age).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) },
            ["spec"] = new JsonObject { ["nodeName"] = node, ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "pause" }) },
            ["status"] = new JsonObject { ["phase"] = phase },
        });

    public Task<Run> Run(params string[] args) => Kubectl.Run(Kubeconfig, args);

    /// <summary>A pool's allocation keys as stored, e.g. ["1", "2"].</summary>
    public string[] Keys(string pool) =>
        (Server.Get("ippools", Namespace, pool)?["spec"]?["allocations"] as JsonObject)?.Select(kv => kv.Key).ToArray() ?? [];

    public bool HasReservation(string name) => Server.Get("overlappingrangeipreservations", Namespace, name) is not null;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The planted world, shared by the tests that only read it.</summary>
public sealed class PlantedWorld : IAsyncLifetime
{
    public World World { get; private set; } = null!;

    public async Task InitializeAsync() => World = await World.Planted();

    public async Task DisposeAsync() => await World.DisposeAsync();
}
