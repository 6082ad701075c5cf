using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Whereabouts.Deploy.Tests;

/// <summary>
/// The image in a real runtime: Debian's containerd and runc run the rendered DaemonSet's containers with their
/// mounts pointed at a fake node's directories, against the API test server on loopback; then containerd's own
/// CNI path, with Debian's macvlan and our IPAM from the walkthrough's network, gives two containers addresses in
/// real network namespaces.
/// </summary>
public sealed partial class ContainerdTests(Containerd containerd) : IClassFixture<Containerd>, IAsyncLifetime
{
    const UnixFileMode Executable = (UnixFileMode)0x1ED, Readable = (UnixFileMode)0x1A4, Secret = (UnixFileMode)0x180;
    const string Ns = "kube-system";
    KubeTestServer.KubeTestServer server = null!;
    FakeNode node = null!;
    JsonObject daemonSet = null!;
    readonly List<string> started = [];

    public async Task InitializeAsync()
    {
        server = await KubeTestServer.KubeTestServer.StartAsync();
        node = new FakeNode("node-1", server.Token, server.CaPem);
        daemonSet = (await Manifests.Render()).One("DaemonSet", "whereabouts");
    }

    async Task<Ran> RunToEnd(JsonObject workload, string container, IReadOnlyList<string>? command = null)
    {
        var args = PodContainer.RunArgs(workload, container, node, server.BaseAddress, command);
        var id = args[args.IndexOf(Containerd.Image) + 1];
        try
        {
            return await containerd.Ctr(["run", "--rm", .. args]);
        }
        finally
        {
            await containerd.Remove(id);
        }
    }

    async Task<string> RunDetached(JsonObject workload, string container, IReadOnlyList<string>? command = null, bool keepCapabilities = false)
    {
        var args = PodContainer.RunArgs(workload, container, node, server.BaseAddress, command, keepCapabilities);
        var id = args[args.IndexOf(Containerd.Image) + 1];
        started.Add(id);
        Directory.CreateDirectory(Path.Combine(node.Root, "logs"));
        (await containerd.Ctr(["run", "--detach", "--log-uri", $"file://{LogOf(id)}", .. args])).OrFail($"start {id}");
        return id;
    }

    string LogOf(string id) => Path.Combine(node.Root, "logs", id + ".log");

    string HostFile(string hostPath) => Path.Combine(node.Root, hostPath.TrimStart('/'));

    [Fact]
    public async Task TheInstallContainerPutsThePluginItsKubeconfigAndTheFlatFileOnTheNode()
    {
        var ran = (await RunToEnd(daemonSet, "install-cni")).OrFail("install-cni");
        var plugin = HostFile("/opt/cni/bin/whereabouts");
        Assert.Equal(await File.ReadAllBytesAsync(Repo.Artifact("WHEREABOUTS_BINARY", "cni", "whereabouts")), await File.ReadAllBytesAsync(plugin));
        Assert.Equal(Executable, File.GetUnixFileMode(plugin));
        var dir = HostFile("/etc/cni/net.d/whereabouts.d");
        Assert.Equal(Secret, File.GetUnixFileMode(Path.Combine(dir, "whereabouts.kubeconfig")));
        Assert.Equal(Readable, File.GetUnixFileMode(Path.Combine(dir, "whereabouts.conf")));
        Assert.Equal(Readable, File.GetUnixFileMode(Path.Combine(dir, "nodename")));
        Assert.Equal("node-1\n", await File.ReadAllTextAsync(Path.Combine(dir, "nodename")));
        var kubeconfig = await File.ReadAllTextAsync(Path.Combine(dir, "whereabouts.kubeconfig"));
        Assert.Contains($"server: \"https://127.0.0.1:{server.BaseAddress.Port}\"", kubeconfig);
        Assert.Contains($"token: \"{server.Token}\"", kubeconfig);
        Assert.Contains("namespace: \"kube-system\"", kubeconfig);
        var flat = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "whereabouts.conf")))!;
        Assert.Equal("/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig", (string?)flat["kubernetes"]!["kubeconfig"]);
        Assert.Contains("written", ran.Output);

        // Again, as after a pod restart: nothing to write.
        var again = (await RunToEnd(daemonSet, "install-cni")).OrFail("install-cni again");
        Assert.DoesNotContain(" written", again.Output);
        Assert.Empty(Directory.GetFiles(HostFile("/opt/cni/bin"), ".*"));
    }

    [Fact]
    public async Task TheDocumentedUninstallPatchTakesWhatTheInstallerWroteOffTheNode()
    {
        (await RunToEnd(daemonSet, "install-cni")).OrFail("install-cni");
        File.WriteAllText(HostFile("/opt/cni/bin/macvlan"), "another plugin");
        // docs/install.md: kubectl -n kube-system patch daemonset whereabouts --type=json --patch-file deploy/uninstall-patch.json,
        // applied here by the API test server's RFC 6902 JSON Patch, as the apiserver applies it.
        var patched = await PatchedDaemonSet(await File.ReadAllTextAsync(Repo.Path("deploy", "uninstall-patch.json")));
        Assert.Equal(["uninstalled"], patched["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string)c!["name"]!));
        (await RunToEnd(patched, "install-cni")).OrFail("uninstall");
        Assert.False(File.Exists(HostFile("/opt/cni/bin/whereabouts")));
        Assert.False(Directory.Exists(HostFile("/etc/cni/net.d/whereabouts.d")));
        Assert.Equal("another plugin", File.ReadAllText(HostFile("/opt/cni/bin/macvlan")));
        // What is left running is an idle container with no probes to fail.
        var idle = await RunDetached(patched, "uninstalled");
        await Task.Delay(500);
        Assert.Matches($"(?m)^{idle} +[0-9]+ +RUNNING", (await containerd.Ctr("tasks", "ls")).Output);
    }

    /// <summary>The rendered DaemonSet stored in an API server and patched there with <paramref name="jsonPatch"/>.</summary>
    static async Task<JsonObject> PatchedDaemonSet(string jsonPatch)
    {
        var daemonSets = new KubeTestServer.CustomResourceType("apps", "v1", "daemonsets", "DaemonSet");
        await using var apps = await KubeTestServer.KubeTestServer.StartAsync(new KubeTestServer.KubeTestServerOptions { Resources = [daemonSets] });
        apps.Put("daemonsets", Ns, (await Manifests.Render()).One("DaemonSet", "whereabouts").DeepClone().AsObject());
        using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(apps.CaPem);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return cert is not null && chain.Build(cert);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = apps.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", apps.Token);
        var request = new HttpRequestMessage(HttpMethod.Patch, $"apis/apps/v1/namespaces/{Ns}/daemonsets/whereabouts")
        {
            Content = new StringContent(jsonPatch, System.Text.Encoding.UTF8, "application/json-patch+json"),
        };
        var reply = await http.SendAsync(request);
        var body = await reply.Content.ReadAsStringAsync();
        Assert.True(reply.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    [Fact]
    public async Task TwoContainersOnTheWalkthroughsNetworkGetAddressesThroughTheAgentAndPingEachOther()
    {
        (await RunToEnd(daemonSet, "install-cni")).OrFail("install-cni");
        // The node's other plugins, as its distribution installs them.
        foreach (var plugin in new[] { "macvlan", "loopback" })
            File.Copy(Path.Combine("/usr/lib/cni", plugin), HostFile($"/opt/cni/bin/{plugin}"), overwrite: true);
        // The walkthrough's NetworkAttachmentDefinition, on this node's interface.
        var nad = (await Manifests.Render("deploy/examples")).One("NetworkAttachmentDefinition", "macvlan-conf");
        // As a conf list, the form runtimes load from /etc/cni/net.d: its one plugin is the NAD's, minus name and version.
        var conf = JsonNode.Parse((string)nad["spec"]!["config"]!)!.AsObject();
        conf["master"] = NetworkNamespace.Master;
        var list = new JsonObject { ["cniVersion"] = conf["cniVersion"]!.DeepClone(), ["name"] = conf["name"]!.DeepClone() };
        conf.Remove("cniVersion");
        conf.Remove("name");
        list["plugins"] = new JsonArray(conf);
        await File.WriteAllTextAsync(HostFile("/etc/cni/net.d/10-macvlan.conflist"), list.ToJsonString());

        var metricsPort = FreePort();
        var agentCommand = ((JsonArray)PodSpecContainer(daemonSet, "node-agent")["command"]!).Select(a => (string)a!)
            .Select(a => a.StartsWith("--metrics-address=", StringComparison.Ordinal) ? $"--metrics-address=127.0.0.1:{metricsPort}" : a).ToList();
        var agent = await RunDetached(daemonSet, "node-agent", agentCommand);
        await WaitHttp($"http://127.0.0.1:{metricsPort}/readyz", agent);
        Assert.True(File.Exists(HostFile("/run/whereabouts/node.sock")), "the agent's socket on the node");

        await using var netns = await NetworkNamespace.Create();
        var cni = new CniRuntime(containerd, node, netns);
        var first = cni.RunDetachedUntilKilled("pod-a", "/usr/bin/busybox", "sleep", "300");
        var a = await WaitForAllocations(1, first);
        var second = cni.RunDetachedUntilKilled("pod-b", "/usr/bin/busybox", "sleep", "300");
        var b = (await WaitForAllocations(2, second)).Except(a).Single();
        Assert.Equal(["192.168.2.225"], a);
        Assert.Equal("192.168.2.226", b);

        Assert.Contains("inet 192.168.2.225/28", (await containerd.Ctr("tasks", "exec", "--exec-id", "addr", "pod-a", "/usr/bin/busybox", "ip", "-4", "-o", "addr", "show", "eth0")).OrFail("ip addr").Output);
        var ab = (await containerd.Ctr("tasks", "exec", "--exec-id", "ping", "pod-a", "/usr/bin/busybox", "ping", "-c", "3", "-W", "2", b)).OrFail("pod-a pings pod-b");
        Assert.Contains("3 packets received", ab.Output);
        var ba = (await containerd.Ctr("tasks", "exec", "--exec-id", "ping", "pod-b", "/usr/bin/busybox", "ping", "-c", "3", "-W", "2", a[0])).OrFail("pod-b pings pod-a");
        Assert.Contains("3 packets received", ba.Output);

        // Stopping them runs CNI DEL through containerd: both addresses are free again, their reservations gone.
        await containerd.Ctr("tasks", "kill", "--signal", "SIGKILL", "pod-a");
        await containerd.Ctr("tasks", "kill", "--signal", "SIGKILL", "pod-b");
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Empty(Allocations());
        Assert.Empty(server.List("overlappingrangeipreservations", Ns));

        // Every request went through the DaemonSet's agent, none fell back to direct mode (which could not even
        // reach the API server from the test's network namespace).
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
        Assert.Equal(2, Metric(metrics, "whereabouts_node_requests_total{verb=\"ADD\",result=\"ok\"}"));
        Assert.Equal(2, Metric(metrics, "whereabouts_node_requests_total{verb=\"DEL\",result=\"ok\"}"));
    }

    [Fact]
    public async Task TheTokenWatcherRewritesTheKubeconfigWhenTheTokenRotates()
    {
        (await RunToEnd(daemonSet, "install-cni")).OrFail("install-cni");
        var watcher = await RunDetached(daemonSet, "token-watcher");
        var kubeconfig = HostFile("/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig");
        await File.WriteAllTextAsync(Path.Combine(node.ServiceAccountDir, "token"), "rotated-token");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!File.ReadAllText(kubeconfig).Contains("rotated-token") && DateTime.UtcNow < until) await Task.Delay(200);
        Assert.Contains("token: \"rotated-token\"", await File.ReadAllTextAsync(kubeconfig));
        Assert.Equal(Secret, File.GetUnixFileMode(kubeconfig));
        await containerd.Remove(watcher);
    }

    [Fact]
    public async Task TheControllerContainerRunsAsNobodyAndLeads()
    {
        var controller = (await Manifests.Render()).One("Deployment", "whereabouts-controller");
        var port = FreePort();
        var spec = PodSpecContainer(controller, "controller");
        var uid = (string)controller["spec"]!["template"]!["spec"]!["securityContext"]!["runAsUser"]!;
        // ctr has no --user: busybox su (as root, it asks no password) becomes the pod's runAsUser, the image's nobody.
        Assert.Equal("65534", uid);
        var controllerCommand = ((JsonArray)spec["command"]!).Select(a => (string)a!)
            .Select(a => a.StartsWith("--metrics-address=", StringComparison.Ordinal) ? $"--metrics-address=127.0.0.1:{port}" : a)
            .Append("--identity=controller-0");
        var command = new[] { "/usr/bin/busybox", "su", "-s", "/usr/bin/sh", "nobody", "-c", "exec " + string.Join(' ', controllerCommand.Select(a => $"'{a}'")) };
        var pod = controller.DeepClone().AsObject();
        pod["spec"]!["template"]!["spec"]!["hostNetwork"] = "true"; // the test reaches its port on loopback
        var id = await RunDetached(pod, "controller", command, keepCapabilities: true);
        await WaitHttp($"http://127.0.0.1:{port}/readyz", id);
        using var http = new HttpClient();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (Metric(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"), "whereabouts_controller_leader") != 1 && DateTime.UtcNow < until)
            await Task.Delay(200);
        Assert.Equal(1, Metric(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"), "whereabouts_controller_leader"));
        var lease = server.Get("leases", Ns, "whereabouts-controller");
        Assert.Equal("controller-0", (string?)lease?["spec"]?["holderIdentity"]);
        var ps = (await containerd.Ctr("tasks", "exec", "--exec-id", "id", id, "/usr/bin/busybox", "sh", "-c", "stat -c %u /proc/1")).OrFail("stat");
        Assert.Equal(uid, ps.Output.Trim());
    }

    static JsonObject PodSpecContainer(JsonObject workload, string name) =>
        workload["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single(c => (string?)c!["name"] == name)!.AsObject();

    List<string> Allocations()
    {
        var pool = server.Get("ippools", Ns, "192.168.2.224-28");
        // Keys are offsets from the range's network address, 192.168.2.224.
        return pool?["spec"]?["allocations"]?.AsObject().Select(kv => "192.168.2." + (224 + int.Parse(kv.Key, System.Globalization.CultureInfo.InvariantCulture))).Order().ToList() ?? [];
    }

    async Task<List<string>> WaitForAllocations(int count, Task<Ran> runner)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (Allocations().Count < count)
        {
            if (runner.IsCompleted) throw new InvalidOperationException($"ctr ended before the address was stored:\n{(await runner).Output}");
            if (DateTime.UtcNow > until) throw new TimeoutException($"{count} allocations not stored; the pool: {server.Get("ippools", Ns, "192.168.2.224-28")}");
            await Task.Delay(100);
        }
        return Allocations();
    }

    async Task WaitHttp(string url, string container)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (!Regex.IsMatch((await containerd.Ctr("tasks", "ls")).Output, $"^{Regex.Escape(container)} +[0-9]+ +RUNNING", RegexOptions.Multiline)) break;
            await Task.Delay(200);
        }
        var log = File.Exists(LogOf(container)) ? await File.ReadAllTextAsync(LogOf(container)) : "(no log)";
        throw new TimeoutException($"{url} did not answer; tasks:\n{(await containerd.Ctr("tasks", "ls")).Output}\n{container}'s output:\n{log}");
    }

    static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    static double Metric(string page, string series)
    {
        var m = Regex.Match(page, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    public async Task DisposeAsync()
    {
        foreach (var id in started) await containerd.Remove(id);
        await server.DisposeAsync();
        node.Dispose();
    }
}
