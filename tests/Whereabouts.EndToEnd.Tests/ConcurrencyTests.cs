using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>Many plugin processes at once on one range, as on a busy node.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    readonly TempDir store = new();

    public void Dispose() => store.Dispose();

    [Fact]
    public async Task HundredConcurrentProcessesGetHundredDistinctAddresses()
    {
        var conf = Conf("0.3.1", FileIpam(store.Path, "10.50.0.0/24"));
        var runs = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Run("ADD", conf, $"cid-{i}", pod: $"default/pod-{i}")));
        Assert.All(runs, r => Assert.Equal(0, r.ExitCode));
        var printed = runs.Select(r => JsonNode.Parse(r.Stdout)!["ips"]![0]!["address"]!.GetValue<string>()).ToList();
        Assert.Equal(100, printed.Distinct().Count());
        var stored = StoredPools.Allocations(store.Path, "10.50.0.0-24");
        Assert.Equal(100, stored.Count);
        // Racing processes pick among the lowest free addresses (a window of at most 32), skipping at most the
        // 99 addresses others hold and the 99 others have reserved in flight: the pool stays at the bottom.
        Assert.All(stored, a => Assert.InRange(a.Offset, 1, 99 + 99 + 32));
        Assert.Equal(100, StoredPools.ReservationNames(store.Path).Count);
    }

    [Fact]
    public async Task KilledProcessesNeverLeaveATornStoreOrAnAddressHeldTwice()
    {
        var conf = Conf("0.3.1", FileIpam(store.Path, "10.60.0.0/22"));
        var random = new Random(20261129);
        var printed = new List<(string Pod, string Address)>();
        for (var wave = 0; wave < 10; wave++)
        {
            var processes = Enumerable.Range(0, 20).Select(i =>
            {
                var pod = $"default/pod-{wave}-{i}";
                var p = Process.Start(StartInfo("ADD", $"cid-{wave}-{i}", "net1", pod))!;
                p.StandardInput.Write(conf);
                p.StandardInput.Close();
                return (Pod: pod, Process: p, Output: p.StandardOutput.ReadToEndAsync());
            }).ToList();
            // Kill a random quarter of them at a random moment of their run.
            await Task.Delay(random.Next(0, 15));
            foreach (var (_, p, _) in processes.Where(_ => random.NextDouble() < 0.25))
                try { p.Kill(); } catch (InvalidOperationException) { }
            foreach (var (pod, p, output) in processes)
            {
                await p.WaitForExitAsync();
                var text = await output;
                if (p.ExitCode == 0) printed.Add((pod, JsonNode.Parse(text)!["ips"]![0]!["address"]!.GetValue<string>().Split('/')[0]));
                p.Dispose();
            }
        }
        var stored = StoredPools.Allocations(store.Path, "10.60.0.0-22");
        Assert.Equal(stored.Count, stored.Select(a => a.Offset).Distinct().Count());
        Assert.Equal(printed.Count, printed.Select(p => p.Address).Distinct().Count());
        // Every address reported to a runtime is persisted and owned by the pod it was reported to.
        var byAddress = stored.ToDictionary(a => $"10.60.{(int)(a.Offset / 256)}.{(int)(a.Offset % 256)}", a => a.PodRef);
        Assert.All(printed, p => Assert.Equal(p.Pod, byAddress.GetValueOrDefault(p.Address)));
        // Every allocation's reservation names the same pod.
        Assert.All(stored, a => Assert.Equal(a.PodRef, StoredPools.ReservationPod(store.Path, $"10.60.{(int)(a.Offset / 256)}.{(int)(a.Offset % 256)}")));
        // And the store still works afterwards.
        var after = await Run("ADD", conf, "cid-after", pod: "default/after");
        Assert.Equal(0, after.ExitCode);
    }
}
