using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Whereabouts.Controller.Events;
using Whereabouts.Controller.Slices;
using Whereabouts.Core.Pools;
using Whereabouts.Kube;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Controller.Tests.Slices;

/// <summary>
/// The API test server with what the node-slice tests seed (NADs, nodes, IPPools) and read back (NodeSlicePools,
/// Events), and a reconciler talking to it through KubernetesClient, with Events recorded by <see cref="KubernetesEventSink"/>.
/// </summary>
public sealed class SliceServer : IAsyncLifetime
{
    public const string Ns = "kube-system";
    const string Nads = "network-attachment-definitions";
    readonly string dir = Directory.CreateTempSubdirectory("wb-slices-").FullName;
    public KubeTestServer.KubeTestServer Server { get; private set; } = null!;
    public KubeClientConnection Kube { get; private set; } = null!;
    public KubernetesPoolStore Store { get; private set; } = null!;

    /// <summary>Called before each IPPool emptiness answer: a test's hook for a concurrent writer.</summary>
    public Action<PoolKey>? BeforeEmptinessAnswer { get; set; }

    public async Task InitializeAsync()
    {
        Server = await KubeTestServer.KubeTestServer.StartAsync();
        Kube = new KubeClientConnection(false, Server.WriteKubeconfig(Path.Combine(dir, "kubeconfig"), Ns), "");
        Store = new KubernetesPoolStore(Kube.Connection, Log.Silent);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Kube.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    public NodeSliceReconciler Reconciler()
    {
        var empty = NodeSliceReconciler.EmptyIn(Store);
        return new NodeSliceReconciler(Kube.Client, Ns, (key, ct) => { BeforeEmptinessAnswer?.Invoke(key); return empty(key, ct); },
            new KubernetesEventSink(Kube.Client, Log.Silent, TimeProvider.System, "test-instance"), Log.Silent);
    }

    /// <summary>A pass over the NADs and nodes as the server lists them (through KubernetesClient, as the controller's watches do).</summary>
    public async Task<SliceReport> Reconcile(NodeSliceReconciler? reconciler = null)
    {
        var nads = WatchedKind.AsElement(await Kube.Client.CustomObjects.ListClusterCustomObjectAsync("k8s.cni.cncf.io", "v1", Nads));
        var nodes = await Kube.Client.CoreV1.ListNodeAsync();
        return await (reconciler ?? Reconciler()).Reconcile([.. nads.GetProperty("items").EnumerateArray()],
            nodes.Items.Select(n => n.Metadata.Name).ToHashSet(), default);
    }

    public void PutNad(string ns, string name, string ipam, string network = "net-a") =>
        Server.Put(Nads, ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["config"] = $$"""{"cniVersion":"1.0.0","name":"{{network}}","type":"macvlan","master":"eth0","ipam":{{ipam}}}""" },
        });

    public static string Ipam(string range, string size, string networkName = "blue") =>
        $$"""{"type":"whereabouts","range":"{{range}}","node_slice_size":"{{size}}"{{(networkName.Length > 0 ? $",\"network_name\":\"{networkName}\"" : "")}}}""";

    public void Nodes(params string[] names) { foreach (var n in names) Server.PutNode(n); }

    public void RemoveNode(string name) => Assert.True(Server.Delete("nodes", "", name));

    /// <summary>IPPool <paramref name="name"/> holding <paramref name="addresses"/> allocations.</summary>
    public void PutIpPool(string name, string range, int addresses)
    {
        var allocations = new JsonObject();
        for (var i = 1; i <= addresses; i++) allocations[i.ToString()] = new JsonObject { ["id"] = $"c{i}", ["podref"] = $"default/p{i}", ["ifname"] = "net1" };
        Server.Put("ippools", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["range"] = range, ["allocations"] = allocations },
        });
    }

    public JsonObject Pool(string name) => Server.Get("nodeslicepools", Ns, name) ?? throw new Xunit.Sdk.XunitException($"no NodeSlicePool {name}");

    /// <summary>status.allocations as (nodeName, sliceRange), in stored order.</summary>
    public (string, string)[] Allocations(string name) =>
        Pool(name)["status"]!["allocations"]!.AsArray().Select(a => (a!["nodeName"]!.GetValue<string>(), a["sliceRange"]!.GetValue<string>())).ToArray();

    public IReadOnlyList<JsonObject> Events(string ns, string reason) =>
        Server.List("events", ns).Where(e => e["reason"]?.GetValue<string>() == reason).ToList();

    public static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";

    public static JsonElement Element(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement;
}
