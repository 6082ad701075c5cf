// kubectl-whereabouts' benchmark: the published CLI, one process per run as an operator starts it, against the
// Kubernetes API test server (in this process, HTTPS, token) seeded with POOLS pools of PER_POOL addresses each,
// their reservations, and one running pod per allocation but the first of each pool (so check has findings to
// print); prints one Markdown table of wall times for docs/benchmarks.md, peak RSS by /usr/bin/time.
// Usage: Whereabouts.KubectlLoad KUBECTL_WHEREABOUTS [POOLS=100] [PER_POOL=100] [REPEAT=5]   (bench/kubectl-load.sh)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Whereabouts.KubeTestServer;

if (args.Length is < 1 or > 4)
{
    Console.Error.WriteLine("usage: Whereabouts.KubectlLoad KUBECTL_WHEREABOUTS [POOLS=100] [PER_POOL=100] [REPEAT=5]");
    return 2;
}
var binary = Path.GetFullPath(args[0]);
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
var (poolCount, perPool, repeat) = (Arg(1, 100), Arg(2, 100), Arg(3, 5));
const string Ns = "kube-system";

var dir = Directory.CreateTempSubdirectory("kubectl-load-").FullName;
await using var server = await KubeTestServer.StartAsync();
var kubeconfig = server.WriteKubeconfig(Path.Combine(dir, "kubeconfig"), Ns);

var seeding = Stopwatch.StartNew();
var pods = 0;
for (var p = 0; p < poolCount; p++)
{
    var allocations = new JsonObject();
    for (var i = 0; i < perPool; i++)
    {
        var (ns, pod) = ($"ns-{p % 10}", $"pod-{p}-{i}");
        allocations[(i + 1).ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["id"] = $"c-{p}-{i}", ["podref"] = $"{ns}/{pod}", ["ifname"] = "net1" };
        if (i > 0 || perPool == 1) { server.PutPod(ns, pod, $"node-{i % 50}"); pods++; }
        server.Put("overlappingrangeipreservations", Ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = $"10.{p / 250}.{p % 250}.{i + 1}" },
            ["spec"] = new JsonObject { ["podref"] = $"{ns}/{pod}", ["ifname"] = "net1", ["containerid"] = $"c-{p}-{i}" },
        });
    }
    server.Put("ippools", Ns, new JsonObject
    {
        ["metadata"] = new JsonObject { ["name"] = $"10.{p / 250}.{p % 250}.0-24" },
        ["spec"] = new JsonObject { ["range"] = $"10.{p / 250}.{p % 250}.0/24", ["allocations"] = allocations },
    });
}
// Pods of other workloads that hold no address: a cluster has more pods than attachments.
for (; pods < poolCount * perPool; pods++) server.PutPod("other", $"other-{pods}", "node-0");
Console.Error.WriteLine($"seeded {poolCount} pools, {poolCount * perPool} allocations and reservations, {pods} pods in {seeding.Elapsed.TotalSeconds:0.0}s");

var rows = new List<string[]>();
foreach (var command in new[] { "pools", "pools -o json", "check", "check -o json" })
{
    var walls = new List<double>();
    var rss = new List<double>();
    for (var r = 0; r < repeat + 1; r++)
    {
        var (wall, kb, code) = await Run(command);
        if (code is not (0 or 1)) throw new InvalidOperationException($"{command} exited with {code}");
        if (r == 0) continue; // the first run warms the page cache and the server
        walls.Add(wall);
        rss.Add(kb / 1024.0);
    }
    walls.Sort();
    var row = new[] { $"`kubectl whereabouts {command}`", $"median {walls[walls.Count / 2]:0} ms (min {walls[0]:0}, max {walls[^1]:0}, {walls.Count} runs)", $"{rss.Max():0} MB" };
    rows.Add(row);
    Console.Error.WriteLine(string.Join(" | ", row));
}

Console.WriteLine($"| command ({poolCount} pools, {poolCount * perPool:N0} allocations, {pods:N0} pods) | wall time, process start to exit | peak RSS |");
Console.WriteLine("| --- | --- | --- |");
foreach (var r in rows) Console.WriteLine($"| {r[0]} | {r[1]} | {r[2]} |");
Directory.Delete(dir, true);
return 0;

async Task<(double Ms, long PeakKb, int Code)> Run(string command)
{
    var report = Path.Combine(dir, "time");
    var start = new ProcessStartInfo("/usr/bin/time", ["-f", "%M", "-o", report, binary, .. command.Split(' '), "--kubeconfig", kubeconfig])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
    start.Environment.Remove("COLUMNS");
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var errors = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    var ms = clock.Elapsed.TotalMilliseconds;
    await output;
    if (process.ExitCode is not (0 or 1)) Console.Error.WriteLine(await errors);
    return (ms, long.Parse(File.ReadAllText(report).Trim().Split('\n')[^1], CultureInfo.InvariantCulture), process.ExitCode);
}
