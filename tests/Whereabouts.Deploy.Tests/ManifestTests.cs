using System.Text.Json.Nodes;

namespace Whereabouts.Deploy.Tests;

/// <summary>The kustomize base as `kubectl kustomize deploy` renders it, offline.</summary>
public sealed class ManifestTests
{
    const string Ns = "kube-system";

    static Task<Manifests> Deploy() => Manifests.Render();

    static JsonObject PodSpec(JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();

    static JsonObject Container(JsonObject workload, string name) =>
        PodSpec(workload)["initContainers"]?.AsArray().Concat(PodSpec(workload)["containers"]!.AsArray())
            .Single(c => (string?)c!["name"] == name)!.AsObject()
        ?? PodSpec(workload)["containers"]!.AsArray().Single(c => (string?)c!["name"] == name)!.AsObject();

    static IEnumerable<string> Strings(JsonNode? array) => (array?.AsArray() ?? []).Select(v => (string)v!);

    [Fact]
    public async Task ItHoldsTheInstallAndNothingElse()
    {
        var m = await Deploy();
        var kinds = m.Objects.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").Order().ToList();
        Assert.Equal(new[]
        {
            "ClusterRole/whereabouts-cni", "ClusterRole/whereabouts-controller", "ClusterRole/whereabouts-edit", "ClusterRole/whereabouts-view",
            "ClusterRoleBinding/whereabouts", "ClusterRoleBinding/whereabouts-controller",
            "CustomResourceDefinition/ippools.whereabouts.cni.cncf.io",
            "CustomResourceDefinition/nodeslicepools.whereabouts.cni.cncf.io",
            "CustomResourceDefinition/overlappingrangeipreservations.whereabouts.cni.cncf.io",
            "DaemonSet/whereabouts", "Deployment/whereabouts-controller", "PodDisruptionBudget/whereabouts-controller",
            "Role/whereabouts-cni", "Role/whereabouts-controller",
            "RoleBinding/whereabouts", "RoleBinding/whereabouts-controller",
            "ServiceAccount/whereabouts", "ServiceAccount/whereabouts-controller",
        }, kinds);
        // Namespaced objects are in kube-system, as upstream installs them; the CRDs and cluster roles are not namespaced.
        foreach (var o in m.Objects)
        {
            var cluster = (string)o["kind"]! is "CustomResourceDefinition" or "ClusterRole" or "ClusterRoleBinding";
            Assert.Equal(cluster ? null : Ns, (string?)o["metadata"]!["namespace"]);
        }
    }

    [Fact]
    public async Task ThePluginAndAgentMayDoExactlyWhatAllocationNeeds()
    {
        var rbac = Rbac.For(await Deploy(), Ns, "whereabouts");
        Assert.Equal(new[]
        {
            "ippools.whereabouts.cni.cncf.io create (in kube-system)",
            "ippools.whereabouts.cni.cncf.io get (in kube-system)",
            "ippools.whereabouts.cni.cncf.io list (in kube-system)",
            "ippools.whereabouts.cni.cncf.io update (in kube-system)",
            "ippools.whereabouts.cni.cncf.io watch (in kube-system)",
            "nodeslicepools.whereabouts.cni.cncf.io get (in kube-system)",
            "nodeslicepools.whereabouts.cni.cncf.io list (in kube-system)",
            "nodeslicepools.whereabouts.cni.cncf.io watch (in kube-system)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io create (in kube-system)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io delete (in kube-system)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io get (in kube-system)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io list (in kube-system)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io watch (in kube-system)",
            "pods get (cluster-wide)",
        }, rbac.Grants());
        Assert.False(rbac.Allows("update", "whereabouts.cni.cncf.io", "ippools", "default"));
        Assert.False(rbac.Allows("list", "", "pods", null));
    }

    [Fact]
    public async Task TheControllerMayDoExactlyWhatReclaimAndSlicesNeed()
    {
        var rbac = Rbac.For(await Deploy(), Ns, "whereabouts-controller");
        Assert.Equal(new[]
        {
            "events create (cluster-wide)",
            "events patch (cluster-wide)",
            "ippools.whereabouts.cni.cncf.io get (in kube-system)",
            "ippools.whereabouts.cni.cncf.io list (in kube-system)",
            "ippools.whereabouts.cni.cncf.io update (in kube-system)",
            "leases.coordination.k8s.io create (in kube-system)",
            "leases.coordination.k8s.io get (in kube-system)",
            "leases.coordination.k8s.io update (in kube-system)",
            "network-attachment-definitions.k8s.cni.cncf.io list (cluster-wide)",
            "nodes list (cluster-wide)",
            "nodeslicepools.whereabouts.cni.cncf.io create (in kube-system)",
            "nodeslicepools.whereabouts.cni.cncf.io delete (in kube-system)",
            "nodeslicepools.whereabouts.cni.cncf.io get (in kube-system)",
            "nodeslicepools.whereabouts.cni.cncf.io list (in kube-system)",
            "nodeslicepools.whereabouts.cni.cncf.io update (in kube-system)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io delete (in kube-system)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io get (in kube-system)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io list (in kube-system)",
            "pods get (cluster-wide)",
            "pods list (cluster-wide)",
            "pods watch (cluster-wide)",
        }, rbac.Grants());
        Assert.False(rbac.Allows("create", "whereabouts.cni.cncf.io", "ippools", Ns));
    }

    [Fact]
    public async Task PeoplesRolesGrantWhatTheKubectlPluginsCommandsNeed()
    {
        var m = await Deploy();
        var view = Rbac.OfClusterRole(m, "whereabouts-view");
        var edit = Rbac.OfClusterRole(m, "whereabouts-edit");
        foreach (var resource in new[] { "ippools", "overlappingrangeipreservations", "nodeslicepools" })
            foreach (var verb in new[] { "get", "list", "watch" })
                Assert.True(view.Allows(verb, "whereabouts.cni.cncf.io", resource, Ns) && edit.Allows(verb, "whereabouts.cni.cncf.io", resource, Ns));
        Assert.True(view.Allows("list", "", "pods", null) && view.Allows("list", "k8s.cni.cncf.io", "network-attachment-definitions", null));
        Assert.DoesNotContain(view.Grants(), g => g.Contains(" create ") || g.Contains(" update ") || g.Contains(" delete ") || g.Contains(" patch "));
        Assert.Equal(new[]
        {
            "ippools.whereabouts.cni.cncf.io create (cluster-wide)", "ippools.whereabouts.cni.cncf.io update (cluster-wide)",
            "overlappingrangeipreservations.whereabouts.cni.cncf.io create (cluster-wide)", "overlappingrangeipreservations.whereabouts.cni.cncf.io delete (cluster-wide)",
        }, edit.Grants().Except(view.Grants()));
        // Left for the admin to bind.
        Assert.DoesNotContain(m.Objects, o => (string?)o["roleRef"]?["name"] is "whereabouts-view" or "whereabouts-edit");
    }

    [Fact]
    public async Task EveryContainerRunsTheOneImageAndNeverPullsItNeedlessly()
    {
        var m = await Deploy();
        var examples = await Manifests.Render("deploy/examples");
        var containers = m.Containers().Concat(examples.Containers()).ToList();
        Assert.Equal(6, containers.Count); // installer, agent, token watcher, controller, two sample pods
        var images = containers.Select(c => (string)c.Container["image"]!).Distinct().ToList();
        Assert.Equal(["localhost/whereabouts:dev"], images);
        Assert.All(containers, c => Assert.Equal("IfNotPresent", (string?)c.Container["imagePullPolicy"]));
        var archive = File.ReadAllText(Repo.Path("build", "image.sh"));
        Assert.Contains("WHEREABOUTS_IMAGE:-localhost/whereabouts:dev", archive);
    }

    [Fact]
    public async Task EveryObjectCarriesTheAppLabel()
    {
        var m = await Deploy();
        Assert.All(m.Objects.Where(o => (string)o["kind"]! != "CustomResourceDefinition"),
            o => Assert.Equal("whereabouts", (string?)o["metadata"]!["labels"]?["app"]));
    }

    [Fact]
    public async Task TheDaemonSetKeepsUpstreamsNameAndSelectorAndRunsOnEveryNode()
    {
        var ds = (await Deploy()).One("DaemonSet", "whereabouts");
        Assert.Equal("whereabouts", (string?)ds["spec"]!["selector"]!["matchLabels"]!["name"]);
        Assert.Equal("whereabouts", (string?)ds["spec"]!["template"]!["metadata"]!["labels"]!["name"]);
        var spec = PodSpec(ds);
        Assert.Equal("true", (string?)spec["hostNetwork"]);
        Assert.Equal("whereabouts", (string?)spec["serviceAccountName"]);
        var toleration = Assert.Single(spec["tolerations"]!.AsArray())!;
        Assert.Equal("Exists", (string?)toleration["operator"]);
        Assert.Null(toleration["key"]);
        Assert.Equal(["install-cni"], spec["initContainers"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Equal(["node-agent", "token-watcher"], spec["containers"]!.AsArray().Select(c => (string)c!["name"]!));
    }

    [Fact]
    public async Task TheDaemonSetMountsTheHostsCniDirsAndTheAgentSocket()
    {
        var ds = (await Deploy()).One("DaemonSet", "whereabouts");
        var hostPaths = PodSpec(ds)["volumes"]!.AsArray().Where(v => v!["hostPath"] is not null)
            .ToDictionary(v => (string)v!["name"]!, v => (string)v!["hostPath"]!["path"]!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["cni-bin-dir"] = "/opt/cni/bin", ["cni-net-dir"] = "/etc/cni/net.d", ["agent-socket-dir"] = "/run/whereabouts",
        }, hostPaths);
        string Mounts(string container) => string.Join(", ", Container(ds, container)["volumeMounts"]!.AsArray()
            .Select(v => $"{v!["name"]}:{v["mountPath"]}{((string?)v["readOnly"] == "true" ? ":ro" : "")}"));
        Assert.Equal("cni-bin-dir:/host/opt/cni/bin, cni-net-dir:/host/etc/cni/net.d", Mounts("install-cni"));
        Assert.Equal("cni-bin-dir:/host/opt/cni/bin, cni-net-dir:/host/etc/cni/net.d", Mounts("token-watcher"));
        Assert.Equal("agent-socket-dir:/run/whereabouts, cni-net-dir:/etc/cni/net.d:ro, tmp:/tmp", Mounts("node-agent"));
    }

    [Fact]
    public async Task TheAgentServesTheKubeconfigTheInstallerWrites()
    {
        var ds = (await Deploy()).One("DaemonSet", "whereabouts");
        var command = Strings(Container(ds, "node-agent")["command"]).ToList();
        Assert.Contains("--datastore=kubernetes", command);
        Assert.Contains("--in-cluster", command);
        // The installer's default host path for the kubeconfig (InstallerOptions.HostConfigDir).
        Assert.Contains("--kubeconfig=/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig", command);
        var installer = Strings(Container(ds, "install-cni")["command"]).ToList();
        Assert.Equal(["/usr/local/bin/whereabouts-install"], installer);
        Assert.Equal(["/usr/local/bin/whereabouts-install", "--watch"], Strings(Container(ds, "token-watcher")["command"]));
        var env = Container(ds, "install-cni")["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["valueFrom"]?["fieldRef"]?["fieldPath"]);
        Assert.Equal("spec.nodeName", env["NODENAME"]);
        Assert.Equal("metadata.namespace", env["WHEREABOUTS_NAMESPACE"]);
    }

    [Fact]
    public async Task LongRunningContainersHaveProbesRequestsAndLimits()
    {
        var m = await Deploy();
        var ds = m.One("DaemonSet", "whereabouts");
        var controller = m.One("Deployment", "whereabouts-controller");
        foreach (var (workload, name, port) in new[] { (ds, "node-agent", "9273"), (controller, "controller", "metrics") })
        {
            var c = Container(workload, name);
            Assert.Equal("/healthz", (string?)c["livenessProbe"]!["httpGet"]!["path"]);
            Assert.Equal("/readyz", (string?)c["readinessProbe"]!["httpGet"]!["path"]);
            Assert.Equal(port, (string?)c["readinessProbe"]!["httpGet"]!["port"]);
            Assert.NotNull(c["startupProbe"]);
        }
        // The agent listens on the node's loopback only: its probes must go there.
        Assert.Equal("127.0.0.1", (string?)Container(ds, "node-agent")["readinessProbe"]!["httpGet"]!["host"]);
        foreach (var (_, c) in m.Containers())
        {
            Assert.NotNull(c["resources"]!["requests"]!["cpu"]);
            Assert.NotNull(c["resources"]!["requests"]!["memory"]);
            Assert.NotNull(c["resources"]!["limits"]!["memory"]);
            Assert.Equal("false", (string?)c["securityContext"]!["allowPrivilegeEscalation"]);
            Assert.Equal("true", (string?)c["securityContext"]!["readOnlyRootFilesystem"]);
            Assert.Equal(["ALL"], Strings(c["securityContext"]!["capabilities"]!["drop"]));
        }
    }

    [Fact]
    public async Task TheControllerRunsTwoReplicasAsNobodyBehindABudget()
    {
        var m = await Deploy();
        var controller = m.One("Deployment", "whereabouts-controller");
        Assert.Equal("2", (string?)controller["spec"]!["replicas"]);
        var spec = PodSpec(controller);
        Assert.Equal("whereabouts-controller", (string?)spec["serviceAccountName"]);
        Assert.Equal("65534", (string?)spec["securityContext"]!["runAsUser"]);
        Assert.Equal("true", (string?)spec["securityContext"]!["runAsNonRoot"]);
        var command = Strings(Container(controller, "controller")["command"]).ToList();
        Assert.Equal("/opt/whereabouts/controller/whereabouts-controller", command[0]);
        Assert.Contains("--in-cluster", command);
        var labels = controller["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        var pdb = m.One("PodDisruptionBudget", "whereabouts-controller");
        Assert.Equal("1", (string?)pdb["spec"]!["minAvailable"]);
        Assert.All(pdb["spec"]!["selector"]!["matchLabels"]!.AsObject(), kv => Assert.Equal((string?)kv.Value, (string?)labels[kv.Key]));
        Assert.All(controller["spec"]!["selector"]!["matchLabels"]!.AsObject(), kv => Assert.Equal((string?)kv.Value, (string?)labels[kv.Key]));
    }

    [Fact]
    public async Task TheExampleIsTheWalkthroughsNetworkAndTwoPodsOnIt()
    {
        var m = await Manifests.Render("deploy/examples");
        var nad = m.One("NetworkAttachmentDefinition", "macvlan-conf");
        var config = JsonNode.Parse((string)nad["spec"]!["config"]!)!;
        Assert.Equal("macvlan", (string?)config["type"]);
        Assert.Equal("whereabouts", (string?)config["ipam"]!["type"]);
        Assert.Equal("192.168.2.225/28", (string?)config["ipam"]!["range"]);
        var pods = m.OfKind("Pod").ToList();
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal("macvlan-conf", (string?)p["metadata"]!["annotations"]!["k8s.v1.cni.cncf.io/networks"]));
    }
}
