using System.Text.Json.Nodes;
using Whereabouts.Deploy.Tests;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The RBAC that deploy/ grants, enforced by the API test server as the apiserver enforces it (403 Forbidden for
/// whatever no bound rule allows), on the published plugin, node agent and controller doing their whole job:
/// every verb through the agent and in direct mode, and a controller that reclaims, removes an orphan and
/// keeps node slices. A request the manifests forgot to allow fails the test, with the request named.
/// </summary>
public sealed class RbacEndToEndTests : IAsyncLifetime
{
    const string Ns = "kube-system";
    readonly TempDir dir = new();
    Manifests manifests = null!;

    public async Task InitializeAsync() => manifests = await Manifests.Render();

    public Task DisposeAsync()
    {
        dir.Dispose();
        return Task.CompletedTask;
    }

    async Task<(KubeTestServer.KubeTestServer Server, string Kubeconfig)> ServerAs(string serviceAccount)
    {
        var rbac = Rbac.For(manifests, Ns, serviceAccount);
        var server = await KubeTestServer.KubeTestServer.StartAsync(new KubeTestServer.KubeTestServerOptions
        {
            Resources = [.. KubeTestServer.CustomResourceType.Whereabouts, KubeTestServer.CustomResourceType.NetworkAttachmentDefinition],
            Authorize = a => rbac.Allows(a.Verb, a.Group, a.Resource, a.Namespace),
        });
        return (server, server.WriteKubeconfig(System.IO.Path.Combine(dir.Path, serviceAccount + ".kubeconfig"), Ns));
    }

    /// <summary>Pool 10.1.0.0/24: .1 held by the live pod default/live, .2 by default/gone (a leak), each with its reservation.</summary>
    static void SeedLeak(KubeTestServer.KubeTestServer server)
    {
        server.PutPod("default", "live", "node-1");
        server.Put("ippools", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "10.1.0.0-24" },
            ["spec"] = new JsonObject
            {
                ["range"] = "10.1.0.0/24",
                ["allocations"] = new JsonObject
                {
                    ["1"] = new JsonObject { ["id"] = "c-live", ["podref"] = "default/live", ["ifname"] = "net1" },
                    ["2"] = new JsonObject { ["id"] = "c-gone", ["podref"] = "default/gone", ["ifname"] = "net1" },
                },
            },
        });
        Reserve(server, "10.1.0.1", "default/live");
        Reserve(server, "10.1.0.2", "default/gone");
    }

    static void Reserve(KubeTestServer.KubeTestServer server, string address, string pod) =>
        server.Put("overlappingrangeipreservations", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = address },
            ["spec"] = new JsonObject { ["podref"] = pod, ["ifname"] = "net1" },
        });

    static string Denied(KubeTestServer.KubeTestServer server) => string.Join("\n", server.Denied.Select(d => d.ForbiddenMessage()));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThePluginAndAgentNeedNothingTheNodeRoleDoesNotGrant(bool throughAgent)
    {
        var (server, kubeconfig) = await ServerAs("whereabouts");
        await using var _ = server;
        await using var agent = throughAgent ? await AgentProcess.Start($"--datastore kubernetes --kubeconfig {kubeconfig}") : null;
        var env = new Dictionary<string, string>(agent?.Env ?? new() { ["WHEREABOUTS_NODE_SOCKET"] = "none" }) { ["NODENAME"] = "node-a" };
        var ipam = $$$"""{"type":"whereabouts","range":"192.168.2.225/28","kubernetes":{"kubeconfig":"{{{kubeconfig}}}"}}""";
        var conf = Conf("1.1.0", ipam);
        server.PutPod("default", "a", "node-a");
        foreach (var (verb, stdin, id) in new[]
        {
            ("ADD", conf, "a"), ("ADD", conf, "b"), ("STATUS", conf, "a"),
            ("GC", $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{ipam}},"cni.dev/valid-attachments":[{"containerID":"a","ifname":"net1"}]}""", "a"),
            ("DEL", conf, "a"), ("DEL", conf, "b"),
        })
        {
            var r = await Run(verb, stdin, id, pod: $"default/{id}", env: env);
            Assert.True(r.ExitCode == 0, $"{verb} {id}: {r.Stdout}{r.Stderr}\nrefused:\n{Denied(server)}");
        }
        Assert.True(server.Denied.Count == 0, Denied(server));
        if (agent is not null) Assert.True(await agent.Served("ADD") >= 2, agent.Output);
    }

    [Fact]
    public async Task TheControllerNeedsNothingItsRolesDoNotGrant()
    {
        var (server, kubeconfig) = await ServerAs("whereabouts-controller");
        await using var _ = server;
        // A leak (pod gone), a live pod, an orphaned reservation, and a network with node slices on two nodes.
        SeedLeak(server);
        Reserve(server, "10.1.0.9", "default/crashed");
        server.PutNode("node-1");
        server.PutNode("node-2");
        server.Put("network-attachment-definitions", "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "sliced" },
            ["spec"] = new JsonObject { ["config"] = """{"cniVersion":"1.0.0","name":"sliced","type":"macvlan","master":"eth0","ipam":{"type":"whereabouts","range":"10.8.0.0/16","node_slice_size":"/24"}}""" },
        });

        await using var controller = await ControllerProcess.Start(kubeconfig, "rbac", "--sweep-interval-ms 1000 --grace-period-ms 500");
        var until = DateTime.UtcNow.AddSeconds(60);
        bool Done() =>
            server.Get("ippools", Ns, "10.1.0.0-24")!["spec"]!["allocations"]!.AsObject().Count == 1
            && server.List("overlappingrangeipreservations", Ns).Count == 1
            && server.List("nodeslicepools", Ns).Count == 1
            && server.List("events", Ns).Any(e => (string?)e["reason"] == "AddressReclaimed");
        while (!Done() && DateTime.UtcNow < until && server.Denied.Count == 0) await Task.Delay(100);
        Assert.True(server.Denied.Count == 0, "refused:\n" + Denied(server) + "\n" + controller.Output);
        Assert.True(Done(), controller.Output);
        Assert.Equal(1, await controller.Metric("whereabouts_controller_leader"));
    }

    static string KubectlBinary =>
        Environment.GetEnvironmentVariable("WHEREABOUTS_KUBECTL_BINARY") is { Length: > 0 } p ? p
        : System.IO.Path.Combine(RepoRoot, "artifacts", "kubectl", "kubectl-whereabouts");

    async Task<(KubeTestServer.KubeTestServer Server, string Kubeconfig)> ServerAsPerson(string clusterRole)
    {
        var rbac = Rbac.OfClusterRole(manifests, clusterRole);
        var server = await KubeTestServer.KubeTestServer.StartAsync(new KubeTestServer.KubeTestServerOptions
        {
            Resources = [.. KubeTestServer.CustomResourceType.Whereabouts, KubeTestServer.CustomResourceType.NetworkAttachmentDefinition],
            Authorize = a => rbac.Allows(a.Verb, a.Group, a.Resource, a.Namespace),
        });
        SeedLeak(server);
        return (server, server.WriteKubeconfig(System.IO.Path.Combine(dir.Path, clusterRole + ".kubeconfig"), Ns));
    }

    static async Task<Ran> Kubectl(string kubeconfig, params string[] args) =>
        await Whereabouts.Deploy.Tests.Run.Command(KubectlBinary, [.. args, "--kubeconfig", kubeconfig], env: new Dictionary<string, string> { ["HOME"] = "/nonexistent" });

    [Fact]
    public async Task WhereaboutsViewIsEnoughToSeeAndCheckButNotToRelease()
    {
        var (server, kubeconfig) = await ServerAsPerson("whereabouts-view");
        await using var _ = server;
        Assert.Equal(0, (await Kubectl(kubeconfig, "pools")).Exit);
        Assert.Equal(0, (await Kubectl(kubeconfig, "show", "10.1.0.0-24")).Exit);
        var check = await Kubectl(kubeconfig, "check");
        Assert.True(check.Exit == 1 && check.Output.Contains("pod gone"), check.Output); // the planted leak, found
        Assert.True(server.Denied.Count == 0, Denied(server));
        var release = await Kubectl(kubeconfig, "release", "10.1.0.2");
        Assert.True(release.Exit == 3, release.Output);
        Assert.Contains("forbid", release.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, server.Get("ippools", Ns, "10.1.0.0-24")!["spec"]!["allocations"]!.AsObject().Count);
    }

    [Fact]
    public async Task WhereaboutsEditIsEnoughToReleaseAndImport()
    {
        var (server, kubeconfig) = await ServerAsPerson("whereabouts-edit");
        await using var _ = server;
        var release = await Kubectl(kubeconfig, "release", "10.1.0.2");
        Assert.True(release.Exit == 0, release.Output + Denied(server));
        Assert.Single(server.Get("ippools", Ns, "10.1.0.0-24")!["spec"]!["allocations"]!.AsObject());
        var hostLocal = Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "host-local")).FullName;
        await File.WriteAllTextAsync(System.IO.Path.Combine(hostLocal, "10.9.0.5"), "c-imported\r\nnet1");
        var import = await Kubectl(kubeconfig, "import", "--from-host-local", hostLocal, "--range", "10.9.0.0/24");
        Assert.True(import.Exit == 0, import.Output + Denied(server));
        Assert.NotNull(server.Get("ippools", Ns, "10.9.0.0-24"));
        Assert.True(server.Denied.Count == 0, Denied(server));
    }
}
