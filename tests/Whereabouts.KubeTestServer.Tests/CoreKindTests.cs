using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>
/// The kinds a controller needs besides the whereabouts CRDs, with the apiserver's routes and semantics:
/// cluster-scoped nodes, pods written over HTTP, Events, Leases (leader election), NetworkAttachmentDefinitions,
/// and metadata-only reads.
/// </summary>
public sealed class CoreKindTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubetestserver-core-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private Kubernetes Client(KubeTestServer server) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(Path.Combine(_dir, Guid.NewGuid() + ".kubeconfig"), "kube-system")));

    [Fact]
    public async Task Nodes_are_cluster_scoped()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.PutNode("worker-1");

        var created = await api.PostAsync("api/v1/nodes", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = new JsonObject { ["name"] = "worker-2" } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Null(created.Body!["metadata"]!["namespace"]);
        var got = await api.GetAsync("api/v1/nodes/worker-1");
        Assert.Equal(("v1", "Node"), ((string)got.Body!["apiVersion"]!, (string)got.Body["kind"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("api/v1/namespaces/default/nodes/worker-1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("api/v1/pods/some-pod")).Status);

        using var client = Client(server);
        var nodes = await client.CoreV1.ListNodeAsync();
        Assert.Equal(["worker-1", "worker-2"], nodes.Items.Select(n => n.Metadata.Name));
        await client.CoreV1.DeleteNodeAsync("worker-2");
        Assert.Equal(["worker-1"], (await client.CoreV1.ListNodeAsync()).Items.Select(n => n.Metadata.Name));
    }

    [Fact]
    public async Task A_node_watch_sees_nodes_come_and_go()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var client = Client(server);
        server.PutNode("a");
        var list = await client.CoreV1.ListNodeAsync();
        var seen = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, node) in client.CoreV1.WatchListNodeAsync(resourceVersion: list.Metadata.ResourceVersion, cancellationToken: stop.Token))
            {
                lock (seen) seen.Add($"{type} {node.Metadata.Name}");
                if (type == WatchEventType.Deleted) return;
            }
        });
        await Task.Delay(200);
        server.PutNode("b");
        server.Delete("nodes", "", "a");
        await watching;
        Assert.Equal(["Added b", "Deleted a"], seen);
    }

    [Fact]
    public async Task Pods_across_namespaces_list_and_watch_through_KubernetesClient()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var client = Client(server);
        server.PutPod("a", "p1", "n1");
        server.PutPod("b", "p2", "n1");
        var page = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 1);
        Assert.Single(page.Items);
        var rest = await client.CoreV1.ListPodForAllNamespacesAsync(limit: 1, continueParameter: page.Metadata.ContinueProperty);
        Assert.Equal(["a/p1", "b/p2"], page.Items.Concat(rest.Items).Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"));

        var seen = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, pod) in client.CoreV1.WatchListPodForAllNamespacesAsync(resourceVersion: rest.Metadata.ResourceVersion, cancellationToken: stop.Token))
            {
                lock (seen) seen.Add($"{type} {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} {pod.Status?.Phase}");
                if (type == WatchEventType.Deleted) return;
            }
        });
        await Task.Delay(200);
        server.SetPodPhase("a", "p1", "Succeeded");
        await client.CoreV1.DeleteNamespacedPodAsync("p2", "b");
        await watching;
        Assert.Equal(["Modified a/p1 Succeeded", "Deleted b/p2 Running"], seen);
        Assert.Null(server.Get("pods", "b", "p2"));
    }

    [Fact]
    public async Task A_metadata_only_list_has_the_items_metadata_and_nothing_else()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);
        server.PutPod("default", "p1", "n1");

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/pods?limit=10");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
        var reply = await Send(api, request);
        Assert.Equal(("meta.k8s.io/v1", "PartialObjectMetadataList"), ((string)reply["apiVersion"]!, (string)reply["kind"]!));
        var item = reply["items"]![0]!.AsObject();
        Assert.Equal(["kind", "apiVersion", "metadata"], item.Select(kv => kv.Key));
        Assert.Equal("PartialObjectMetadata", (string)item["kind"]!);
        Assert.Equal("p1", (string)item["metadata"]!["name"]!);

        using var one = new HttpRequestMessage(HttpMethod.Get, "api/v1/namespaces/default/pods/p1");
        one.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
        Assert.Equal("PartialObjectMetadata", (string)(await Send(api, one))["kind"]!);

        using var plain = new HttpRequestMessage(HttpMethod.Get, "api/v1/namespaces/default/pods/p1");
        plain.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        Assert.Equal("Pod", (string)(await Send(api, plain))["kind"]!);

        using var unknown = new HttpRequestMessage(HttpMethod.Get, "api/v1/pods");
        unknown.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;g=meta.k8s.io;v=v1");
        Assert.Equal(406, (int)(await Raw(api, unknown)).StatusCode);
    }

    [Fact]
    public async Task Events_are_created_and_listed_as_core_v1()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var client = Client(server);
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "pool.", NamespaceProperty = "kube-system" },
            InvolvedObject = new V1ObjectReference { Kind = "IPPool", Name = "10.0.0.0-24", NamespaceProperty = "kube-system", ApiVersion = "whereabouts.cni.cncf.io/v1alpha1" },
            Reason = "AddressReclaimed",
            Message = "released",
            Type = "Normal",
        }, "kube-system");
        var listed = await client.CoreV1.ListEventForAllNamespacesAsync();
        var e = Assert.Single(listed.Items);
        Assert.StartsWith("pool.", e.Metadata.Name);
        Assert.Equal(("IPPool", "AddressReclaimed"), (e.InvolvedObject.Kind, e.Reason));
    }

    [Fact]
    public async Task Leases_compare_and_swap_and_two_electors_agree_on_one_leader()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var a = Client(server);
        using var b = Client(server);
        var config = (string id, Kubernetes c) => new LeaderElectionConfig(new LeaseLock(c, "kube-system", "test-lease", id))
        {
            LeaseDuration = TimeSpan.FromSeconds(2), RenewDeadline = TimeSpan.FromMilliseconds(1500), RetryPeriod = TimeSpan.FromMilliseconds(200),
        };
        var first = new LeaderElector(config("first", a));
        var second = new LeaderElector(config("second", b));
        using var stopFirst = new CancellationTokenSource();
        using var stopSecond = new CancellationTokenSource();
        var firstRun = first.RunUntilLeadershipLostAsync(stopFirst.Token);
        await Until(first.IsLeader);
        var secondRun = second.RunUntilLeadershipLostAsync(stopSecond.Token);
        await Task.Delay(1000);
        Assert.True(first.IsLeader());
        Assert.False(second.IsLeader());
        Assert.Equal("first", (string)server.Get("leases", "kube-system", "test-lease")!["spec"]!["holderIdentity"]!);

        stopFirst.Cancel(); // stops renewing: the lease runs out
        try { await firstRun; } catch (OperationCanceledException) { }
        await Until(second.IsLeader);
        Assert.Equal("second", (string)server.Get("leases", "kube-system", "test-lease")!["spec"]!["holderIdentity"]!);
        stopSecond.Cancel();
        try { await secondRun; } catch (OperationCanceledException) { }

        // A stale write is refused.
        using var api = new ApiClient(server);
        var lease = server.Get("leases", "kube-system", "test-lease")!;
        lease["metadata"]!["resourceVersion"] = "1";
        Assert.Equal(HttpStatusCode.Conflict, (await api.PutAsync("apis/coordination.k8s.io/v1/namespaces/kube-system/leases/test-lease", lease)).Status);
    }

    [Fact]
    public async Task NetworkAttachmentDefinitions_are_served_in_every_namespace()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var client = Client(server);
        foreach (var ns in new[] { "a", "b" })
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
            {
                ["apiVersion"] = "k8s.cni.cncf.io/v1", ["kind"] = "NetworkAttachmentDefinition",
                ["metadata"] = new JsonObject { ["name"] = "macvlan-conf" },
                ["spec"] = new JsonObject { ["config"] = """{"cniVersion":"0.3.1","type":"macvlan","ipam":{"type":"whereabouts","range":"10.0.0.0/24"}}""" },
            }, "k8s.cni.cncf.io", "v1", ns, "network-attachment-definitions");
        var all = (System.Text.Json.JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("k8s.cni.cncf.io", "v1", "network-attachment-definitions");
        Assert.Equal("NetworkAttachmentDefinitionList", all.GetProperty("kind").GetString());
        Assert.Equal(2, all.GetProperty("items").GetArrayLength());
    }

    private static async Task Until(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException();
            await Task.Delay(50);
        }
    }

    private static async Task<JsonObject> Send(ApiClient api, HttpRequestMessage request)
    {
        using var response = await Raw(api, request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static Task<HttpResponseMessage> Raw(ApiClient api, HttpRequestMessage request) => api.Http.SendAsync(request);
}
