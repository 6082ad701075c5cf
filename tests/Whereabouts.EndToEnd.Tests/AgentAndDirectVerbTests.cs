using System.Text.Json.Nodes;
using Whereabouts.Testing.Etcd;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// Every verb through the published plugin, once in direct mode and once as the client of a real node agent,
/// on the file, etcd and API-test-server stores, with the same assertions. Through the agent, its metrics must
/// show it served every verb (and declined none), so a silent fallback to direct mode cannot pass.
/// </summary>
public sealed class AgentAndDirectVerbTests
{
    public enum Mode { Direct, Agent }
    public enum Store { File, Etcd, Kubernetes }

    /// <summary>A running datastore: the IPAM config naming it, the agent's arguments for it, and what it stores.</summary>
    sealed class Backend : IAsyncDisposable
    {
        public required Func<string, string> Ipam { get; init; }
        public required string AgentArgs { get; init; }
        public required Func<string, Task<string[]>> Holders { get; init; } // container IDs of a pool's allocations
        public required Func<Task<int>> ReservationCount { get; init; }
        public required bool GcShowsOwnership { get; init; }
        public Func<ValueTask> Dispose { get; init; } = () => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => Dispose();

        public static async Task<Backend> Start(Store store)
        {
            switch (store)
            {
                case Store.File:
                {
                    var dir = new TempDir();
                    return new Backend
                    {
                        Ipam = range => FileIpam(dir.Path, range),
                        AgentArgs = $"--datastore file --file-dir {dir.Path}",
                        Holders = pool => Task.FromResult(StoredPools.Allocations(dir.Path, pool).Select(a => a.ContainerId).Order().ToArray()),
                        ReservationCount = () => Task.FromResult(StoredPools.ReservationNames(dir.Path).Count),
                        GcShowsOwnership = true,
                        Dispose = () => { dir.Dispose(); return ValueTask.CompletedTask; },
                    };
                }
                case Store.Etcd:
                {
                    var etcd = await EtcdServer.Start();
                    return new Backend
                    {
                        Ipam = range => EtcdStored.Ipam(etcd.Endpoint, range),
                        AgentArgs = $"--datastore etcd --etcd-endpoints {etcd.Endpoint}",
                        Holders = async pool => (await EtcdStored.Allocations(etcd, pool)).Select(a => a.ContainerId).Order().ToArray(),
                        ReservationCount = async () => (await EtcdStored.ReservationPods(etcd)).Count,
                        // An etcd allocation does not say which node made it: GC releases nothing there.
                        GcShowsOwnership = false,
                        Dispose = etcd.DisposeAsync,
                    };
                }
                default:
                {
                    var dir = new TempDir();
                    var server = await KubeTestServer.KubeTestServer.StartAsync();
                    var kubeconfig = server.WriteKubeconfig(System.IO.Path.Combine(dir.Path, "whereabouts.kubeconfig"));
                    return new Backend
                    {
                        Ipam = range => $$$"""{"type":"whereabouts","range":"{{{range}}}","kubernetes":{"kubeconfig":"{{{kubeconfig}}}"}}""",
                        AgentArgs = $"--datastore kubernetes --kubeconfig {kubeconfig}",
                        Holders = pool => Task.FromResult(server.Get("ippools", "kube-system", pool) is { } p
                            ? p["spec"]!["allocations"]!.AsObject().Select(kv => (string)kv.Value!["id"]!).Order().ToArray() : []),
                        ReservationCount = () => Task.FromResult(server.List("overlappingrangeipreservations", "kube-system").Count),
                        GcShowsOwnership = true,
                        Dispose = async () => { await server.DisposeAsync(); dir.Dispose(); },
                    };
                }
            }
        }
    }

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();

    [Theory]
    [InlineData(Mode.Direct, Store.File)]
    [InlineData(Mode.Agent, Store.File)]
    [InlineData(Mode.Direct, Store.Etcd)]
    [InlineData(Mode.Agent, Store.Etcd)]
    [InlineData(Mode.Direct, Store.Kubernetes)]
    [InlineData(Mode.Agent, Store.Kubernetes)]
    public async Task EveryVerbGivesTheSameAnswers(Mode mode, Store kind)
    {
        await using var store = await Backend.Start(kind);
        await using var agent = mode == Mode.Agent ? await AgentProcess.Start(store.AgentArgs) : null;
        // NODENAME: CNI GC on the kubernetes store releases only what it can show is this node's.
        var env = new Dictionary<string, string>(agent?.Env ?? new() { ["WHEREABOUTS_NODE_SOCKET"] = "none" }) { ["NODENAME"] = "node-a" };
        Task<Result> Cni(string verb, string conf, string id) => Run(verb, conf, id, pod: $"default/{id}", env: env);

        var conf = Conf("1.1.0", store.Ipam("192.168.2.225/28"));
        var add = await Cni("ADD", conf, "keep");
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Equal("192.168.2.225/28", AddressOf(add.Stdout));
        Assert.Equal("192.168.2.225/28", AddressOf((await Cni("ADD", conf, "keep")).Stdout));
        Assert.Equal("192.168.2.226/28", AddressOf((await Cni("ADD", conf, "stale")).Stdout));
        Assert.Equal(["keep", "stale"], await store.Holders("192.168.2.224-28"));
        Assert.Equal(2, await store.ReservationCount());

        var withPrev = $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{store.Ipam("192.168.2.225/28")}},"prevResult":{{add.Stdout}}}""";
        var check = await Cni("CHECK", withPrev, "keep");
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Equal((0, ""), ((await Cni("STATUS", conf, "any")).ExitCode, (await Cni("STATUS", conf, "any")).Stdout));

        var gc = $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{store.Ipam("192.168.2.225/28")}},"cni.dev/valid-attachments":[{"containerID":"keep","ifname":"net1"}]}""";
        var collected = await Cni("GC", gc, "any");
        Assert.True(collected.ExitCode == 0, collected.Stdout + collected.Stderr);
        Assert.Equal(store.GcShowsOwnership ? ["keep"] : ["keep", "stale"], await store.Holders("192.168.2.224-28"));

        Assert.Equal((0, ""), ((await Cni("DEL", conf, "keep")).ExitCode, ""));
        Assert.Equal((0, ""), ((await Cni("DEL", conf, "stale")).ExitCode, ""));
        Assert.Empty(await store.Holders("192.168.2.224-28"));
        Assert.Equal(0, await store.ReservationCount());

        // Twenty pods at once on one range: twenty distinct addresses, each stored with its reservation.
        var wide = Conf("1.1.0", store.Ipam("10.40.0.0/26"));
        var many = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Cni("ADD", wide, $"pod-{i}")));
        Assert.All(many, r => Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr));
        Assert.Equal(20, many.Select(r => AddressOf(r.Stdout)).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"pod-{i}").Order().ToArray(), await store.Holders("10.40.0.0-26"));
        Assert.Equal(20, await store.ReservationCount());

        if (agent is null) return;
        foreach (var verb in (string[])["ADD", "CHECK", "STATUS", "GC", "DEL"])
            Assert.True(await agent.Served(verb) > 0, $"the agent served no {verb}:\n{agent.Output}");
        Assert.Equal(0, await agent.Served("ADD", "declined"));
    }

    [Fact]
    public async Task ARequestForAnotherDatastoreIsDeclinedAndRunInDirectMode()
    {
        await using var served = await Backend.Start(Store.File);
        await using var other = await Backend.Start(Store.File);
        await using var agent = await AgentProcess.Start(served.AgentArgs);
        var add = await Run("ADD", Conf("1.1.0", other.Ipam("192.168.2.225/28")), "c1", env: agent.Env);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Equal(["c1"], await other.Holders("192.168.2.224-28"));
        Assert.Equal(1, await agent.Served("ADD", "declined"));
        Assert.Equal(0, await agent.Served("ADD", "ok"));
    }
}
