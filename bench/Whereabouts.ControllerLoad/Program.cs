// The controller's benchmark: the published controller against the Kubernetes API test server (in this process,
// HTTPS, token) seeded with POOLS pools of ALLOCATIONS addresses each, their reservations, and one running pod
// per allocation; prints one Markdown table for docs/benchmarks.md.
// Usage: Whereabouts.ControllerLoad CONTROLLER [POOLS=100] [PER_POOL=100] [REPEAT=5]   (bench/controller-load.sh)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Whereabouts.ControllerLoad;
using Whereabouts.KubeTestServer;

if (args.Length is < 1 or > 4)
{
    Console.Error.WriteLine("usage: Whereabouts.ControllerLoad CONTROLLER [POOLS=100] [PER_POOL=100] [REPEAT=5]");
    return 2;
}
var binary = args[0];
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
var (poolCount, perPool, repeat) = (Arg(1, 100), Arg(2, 100), Arg(3, 5));
const string Ns = "kube-system";

var dir = Directory.CreateTempSubdirectory("controller-load-").FullName;
await using var server = await KubeTestServer.StartAsync();
var kubeconfig = server.WriteKubeconfig(Path.Combine(dir, "whereabouts.kubeconfig"), Ns);

string PoolName(int p) => $"10.{p / 250}.{p % 250}.0-24";
string PodOf(int p, int i) => $"pod-{p}-{i}";
string PodNs(int p) => $"ns-{p % 10}";
var seeding = Stopwatch.StartNew();
for (var p = 0; p < poolCount; p++)
{
    var allocations = new JsonObject();
    for (var i = 0; i < perPool; i++)
    {
        allocations[(i + 1).ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["id"] = $"c-{p}-{i}", ["podref"] = $"{PodNs(p)}/{PodOf(p, i)}", ["ifname"] = "net1" };
        server.PutPod(PodNs(p), PodOf(p, i), $"node-{i % 50}");
        server.Put("overlappingrangeipreservations", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = $"10.{p / 250}.{p % 250}.{i + 1}" },
            ["spec"] = new JsonObject { ["podref"] = $"{PodNs(p)}/{PodOf(p, i)}", ["ifname"] = "net1", ["containerid"] = $"c-{p}-{i}" },
        });
    }
    server.Put("ippools", Ns, new JsonObject
    {
        ["metadata"] = new JsonObject { ["name"] = PoolName(p) },
        ["spec"] = new JsonObject { ["range"] = $"10.{p / 250}.{p % 250}.0/24", ["allocations"] = allocations },
    });
}
Console.Error.WriteLine($"seeded {poolCount} pools, {poolCount * perPool} allocations, reservations and pods in {seeding.Elapsed.TotalSeconds:0.0}s");

var rows = new List<string[]>();
void Row(params string[] cells) { rows.Add(cells); Console.Error.WriteLine(string.Join(" | ", cells)); }
bool Holds(int p, int i) => server.Get("ippools", Ns, PoolName(p))!["spec"]!["allocations"]!.AsObject().ContainsKey((i + 1).ToString(CultureInfo.InvariantCulture));

// 1. Sweeps of everything: the controller's own histogram, one sweep at a time.
var victim = 0;
await using (var controller = await Controller.Start(binary, kubeconfig, "--sweep-interval-ms 3000 --grace-period-ms 1000"))
{
    var sweeps = new List<double>();
    double lastSum = 0, lastCount = 0;
    while (sweeps.Count < repeat)
    {
        await Task.Delay(200);
        var count = await controller.Metric("whereabouts_sweep_duration_seconds_count");
        if (count <= lastCount) continue;
        var sum = await controller.Metric("whereabouts_sweep_duration_seconds_sum");
        if (count == lastCount + 1) sweeps.Add((sum - lastSum) * 1000);
        (lastSum, lastCount) = (sum, count);
    }
    sweeps.Sort();
    Row($"sweep of {poolCount * perPool:N0} allocations over {poolCount} pools with {poolCount * perPool:N0} pods",
        $"median {sweeps[sweeps.Count / 2]:0} ms (min {sweeps[0]:0}, max {sweeps[^1]:0}, {sweeps.Count} sweeps); peak RSS {controller.PeakRssMb():0} MB");

    // 2. Event path: a pod deleted without DEL, its allocation long seen.
    var latencies = new List<double>();
    for (var r = 0; r < repeat; r++, victim++)
    {
        var (p, i) = (victim % poolCount, victim / poolCount);
        var clock = Stopwatch.StartNew();
        server.Delete("pods", PodNs(p), PodOf(p, i));
        while (Holds(p, i)) await Task.Delay(5);
        latencies.Add(clock.Elapsed.TotalMilliseconds);
    }
    latencies.Sort();
    Row("leak reclaimed after its pod is deleted without DEL: event path", $"median {latencies[latencies.Count / 2]:0} ms (min {latencies[0]:0}, max {latencies[^1]:0}, {latencies.Count} pods)");
}

// 3. Sweep path: pods deleted while no controller ran (no event will ever come); a controller with the default
// timings starts, and its sweeps must find them.
var missed = Enumerable.Range(victim, repeat).Select(v => (p: v % poolCount, i: v / poolCount)).ToList();
foreach (var (p, i) in missed) server.Delete("pods", PodNs(p), PodOf(p, i));
await using (var controller = await Controller.Start(binary, kubeconfig, ""))
{
    var clock = Stopwatch.StartNew();
    while (missed.Any(m => Holds(m.p, m.i))) await Task.Delay(50);
    Row("leak reclaimed after its pod is deleted without DEL: sweep path (controller started after the deletes, default 60 s interval and 30 s grace)",
        $"{clock.Elapsed.TotalSeconds:0.0} s for all {missed.Count}, from the controller's readiness");
}

Console.WriteLine("| what | result |");
Console.WriteLine("| --- | --- |");
foreach (var r in rows) Console.WriteLine($"| {r[0]} | {r[1]} |");
Directory.Delete(dir, true);
return 0;
