// The node agent's load benchmark: the published plugin and agent against the Kubernetes API test server
// (in this process, HTTPS, token), printing one Markdown table for docs/benchmarks.md.
// Usage: Whereabouts.AgentLoad PLUGIN AGENT [REPEAT=5]   (bench/agent-load.sh publishes both and runs this)
// Rows with plugin processes measure what a runtime sees (process start included); the 10-agent rows send the
// plugin's wire request straight to each agent's socket, so 1000 requests are truly in flight at once on a
// 2-core machine instead of 1000 processes starting.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Whereabouts.AgentLoad;
using Whereabouts.KubeTestServer;

if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: Whereabouts.AgentLoad PLUGIN AGENT [REPEAT=5]");
    return 2;
}
var (plugin, agentBinary) = (args[0], args[1]);
var repeat = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
using var work = new WorkDir();
await using var server = await KubeTestServer.StartAsync();
var kubeconfig = server.WriteKubeconfig(Path.Combine(work.Path, "whereabouts.kubeconfig"));
var cni = new PluginRunner(plugin, work.AdminFlatFile);
string Conf(string range, string more = "") =>
    $$$"""{"cniVersion":"1.0.0","name":"bench","type":"macvlan","ipam":{"type":"whereabouts","range":"{{{range}}}","kubernetes":{"kubeconfig":"{{{kubeconfig}}}"}{{{more}}}}}""";
var rows = new List<string[]>();
void Row(params string[] cells) { rows.Add(cells); Console.Error.WriteLine(string.Join(" | ", cells)); }

await using (var agent = await AgentRunner.Start(agentBinary, work, $"--datastore kubernetes --kubeconfig {kubeconfig}", "node-a"))
{
    // Warm both paths once (the agent's JIT and connection, the page cache of the plugin binary).
    await cni.Add(Conf("10.0.255.0/24"), "warm-direct", PluginRunner.Direct);
    await cni.Add(Conf("10.0.255.0/24"), "warm-agent", agent.Env);

    // 1. 20 concurrent ADDs on one range: direct vs through the agent, a fresh range each repetition.
    var direct20 = new List<double>();
    var agent20 = new List<double>();
    for (var r = 0; r < repeat; r++)
    {
        direct20.Add(await Concurrent(cni, Conf($"10.1.{r}.0/24"), 20, $"d{r}", PluginRunner.Direct, server, $"10.1.{r}.0-24"));
        agent20.Add(await Concurrent(cni, Conf($"10.2.{r}.0/24"), 20, $"a{r}", agent.Env, server, $"10.2.{r}.0-24"));
    }
    Row("20 concurrent ADDs on one range (plugin processes), wall, median of " + repeat,
        $"direct {Median(direct20):0} ms; agent {Median(agent20):0} ms", $"{Median(direct20) / Median(agent20):0.0}× faster");

    // 2. One ADD at a time: the plugin process's wall time.
    var oneAgent = new List<double>();
    var oneDirect = new List<double>();
    const string AddSum = "whereabouts_node_request_duration_seconds_sum{verb=\"ADD\"}", AddCount = "whereabouts_node_request_duration_seconds_count{verb=\"ADD\"}";
    var (sum0, count0) = (await agent.Metric(AddSum), await agent.Metric(AddCount));
    for (var i = 0; i < 30; i++)
    {
        oneAgent.Add((await cni.Add(Conf("10.5.0.0/24"), $"one-a{i}", agent.Env)).Ms);
        oneDirect.Add((await cni.Add(Conf("10.6.0.0/24"), $"one-d{i}", PluginRunner.Direct)).Ms);
    }
    // The same launcher starting Debian's host-local for VERSION: what a process start costs here at the least.
    var hostLocal = new[] { "/usr/lib/cni/host-local", "/opt/cni/bin/host-local" }.FirstOrDefault(File.Exists);
    var floor = new List<double>();
    if (hostLocal is not null)
        for (var i = 0; i < 30; i++) floor.Add((await cni.Run(hostLocal, "VERSION", "{}", "v", [])).Ms);
    var inAgent = (await agent.Metric(AddSum) - sum0) / (await agent.Metric(AddCount) - count0) * 1000;
    Row("one ADD, plugin process wall time, 30 sequential", $"agent p50 {Pct(oneAgent, 50):0.0} ms, p90 {Pct(oneAgent, 90):0.0} ms (in the agent: mean {inAgent:0.0} ms)",
        $"direct p50 {Pct(oneDirect, 50):0.0} ms, p90 {Pct(oneDirect, 90):0.0} ms" +
        (floor.Count > 0 ? $"; host-local VERSION by the same launcher p50 {Pct(floor, 50):0.0} ms" : ""));

    // 6. A pool that already holds 10,000 allocations: 20 concurrent ADDs through the agent vs direct.
    server.Put("ippools", "kube-system", BigPool("10.7.0.0/18", "10.7.0.0-18", 10_000));
    server.Put("ippools", "kube-system", BigPool("10.8.0.0/18", "10.8.0.0-18", 10_000));
    await Task.Delay(500); // let the watch deliver the seeded pools
    var bigAgent = await Concurrent(cni, Conf("10.7.0.0/18"), 20, "big-a", agent.Env, server, "10.7.0.0-18", expectedTotal: 10_020);
    var bigDirect = await Concurrent(cni, Conf("10.8.0.0/18"), 20, "big-d", PluginRunner.Direct, server, "10.8.0.0-18", expectedTotal: 10_020);
    Row("20 concurrent ADDs on a pool holding 10,000 allocations (plugin processes), wall", $"agent {bigAgent:0} ms", $"direct {bigDirect:0} ms ({bigDirect / bigAgent:0.0}×)");
}

// 4. Ten agents (ten simulated nodes) × 100 concurrent ADDs on one range.
{
    var agents = new List<AgentRunner>();
    for (var n = 0; n < 10; n++) agents.Add(await AgentRunner.Start(agentBinary, work, $"--datastore kubernetes --kubeconfig {kubeconfig}", $"node-{n}"));
    var conf = Conf("10.9.0.0/21");
    var (wall, latencies) = await Fleet(agents, conf, "shared");
    var holders = Holders(server, "10.9.0.0-21");
    var conflicts = 0.0;
    foreach (var a in agents) conflicts += await a.Metric("whereabouts_node_conflicts_total");
    Row("10 agents × 100 concurrent ADDs on one range (socket requests)",
        $"{holders.Count} stored, {holders.Values.Distinct().Count()} distinct; {1000 / wall * 1000:0} allocations/s; p50 {Pct(latencies, 50):0} ms, p99 {Pct(latencies, 99):0} ms",
        $"{conflicts:0} lost compare-and-swaps");

    // 5. The same in node-slice mode: each node its own slice, so its own pool.
    server.Put("nodeslicepools", "kube-system", SlicePool("bench-slices", "10.10.0.0/16", 10));
    var sliced = Conf("10.10.0.0/16", ""","node_slice_size":"/24","network_name":"bench-slices" """);
    var before = 0.0;
    foreach (var a in agents) before += await a.Metric("whereabouts_node_conflicts_total");
    var (sWall, sLatencies) = await Fleet(agents, sliced, "sliced");
    var after = 0.0;
    foreach (var a in agents) after += await a.Metric("whereabouts_node_conflicts_total");
    var slicedStored = Enumerable.Range(0, 10).Sum(n => Holders(server, $"bench-slices-node-{n}-10.10.{n}.0-24").Count);
    Row("the same in node-slice mode (each node its own /24)",
        $"{slicedStored} stored; {1000 / sWall * 1000:0} allocations/s; p50 {Pct(sLatencies, 50):0} ms, p99 {Pct(sLatencies, 99):0} ms",
        $"{after - before:0} lost compare-and-swaps");
    foreach (var a in agents) await a.DisposeAsync();
}

Console.WriteLine("| what | measured | compared |");
Console.WriteLine("| --- | --- | --- |");
foreach (var r in rows) Console.WriteLine("| " + string.Join(" | ", r) + " |");
return 0;

static async Task<double> Concurrent(PluginRunner cni, string conf, int n, string prefix, Dictionary<string, string> env, KubeTestServer server, string pool, int expectedTotal = 0)
{
    var clock = Stopwatch.StartNew();
    var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => cni.Add(conf, $"{prefix}-{i}", env)));
    var ms = clock.Elapsed.TotalMilliseconds;
    var failed = results.Where(r => r.Exit != 0).ToArray();
    if (failed.Length > 0) throw new InvalidOperationException($"{failed.Length} ADDs failed: {failed[0].Stdout}");
    var holders = Holders(server, pool);
    if (holders.Values.Distinct().Count() != holders.Count || holders.Count != (expectedTotal > 0 ? expectedTotal : n))
        throw new InvalidOperationException($"pool {pool} holds {holders.Count} allocations ({holders.Values.Distinct().Count()} distinct)");
    return ms;
}

static async Task<(double WallMs, List<double> Latencies)> Fleet(List<AgentRunner> agents, string conf, string prefix)
{
    var clock = Stopwatch.StartNew();
    var all = await Task.WhenAll(agents.SelectMany((a, n) => Enumerable.Range(0, 100).Select(async i =>
    {
        var (exit, stdout, ms) = await a.Forward("ADD", conf, $"{prefix}-{n}-{i}");
        if (exit != 0) throw new InvalidOperationException($"ADD through node-{n} failed: {stdout}");
        return ms;
    })));
    return (clock.Elapsed.TotalMilliseconds, all.ToList());
}

static Dictionary<string, string> Holders(KubeTestServer server, string pool) =>
    server.Get("ippools", "kube-system", pool) is { } p
        ? p["spec"]!["allocations"]!.AsObject().ToDictionary(kv => (string)kv.Value!["id"]!, kv => kv.Key)
        : [];

static JsonObject BigPool(string range, string name, int count)
{
    var allocations = new JsonObject();
    for (var i = 1; i <= count; i++)
        allocations[i.ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["id"] = $"seed-{i}", ["podref"] = $"default/seed-{i}", ["ifname"] = "net1" };
    return new JsonObject
    {
        ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
        ["kind"] = "IPPool",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["range"] = range, ["allocations"] = allocations },
    };
}

static JsonObject SlicePool(string name, string range, int nodes) => new()
{
    ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
    ["kind"] = "NodeSlicePool",
    ["metadata"] = new JsonObject { ["name"] = name },
    ["spec"] = new JsonObject { ["range"] = range, ["sliceSize"] = "/24" },
    ["status"] = new JsonObject
    {
        ["allocations"] = new JsonArray(Enumerable.Range(0, nodes).Select(n =>
            (JsonNode)new JsonObject { ["nodeName"] = $"node-{n}", ["sliceRange"] = $"10.10.{n}.0/24" }).ToArray()),
    },
};

static double Median(List<double> xs) => Pct(xs, 50);

static double Pct(List<double> xs, int p)
{
    var sorted = xs.Order().ToArray();
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
