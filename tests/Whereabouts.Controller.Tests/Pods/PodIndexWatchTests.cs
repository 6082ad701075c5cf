using Whereabouts.Controller.Pods;
using Whereabouts.Core.Reclaim;
using Whereabouts.Kube;
using Whereabouts.Stores;

namespace Whereabouts.Controller.Tests.Pods;

/// <summary>
/// The pod index fed by a real list-then-watch against the API test server: a list of several pages (500 a page)
/// is taken page by page (IPagedReset) and comes out whole, and a relist drops the pods gone meanwhile.
/// </summary>
public sealed class PodIndexWatchTests : IAsyncLifetime
{
    KubeTestServer.KubeTestServer server = null!;
    string dir = "";

    public async Task InitializeAsync()
    {
        server = await KubeTestServer.KubeTestServer.StartAsync();
        dir = Directory.CreateTempSubdirectory("wb-podindex-").FullName;
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task AListOfManyPagesIsIndexedWholeAndARelistDropsWhatWentAway()
    {
        for (var i = 0; i < 1201; i++) server.PutPod($"ns-{i % 7}", $"pod-{i}", "node-1");
        server.SetPodPhase("ns-0", "pod-0", "Succeeded");
        using var kube = new KubeClientConnection(false, server.WriteKubeconfig(Path.Combine(dir, "kubeconfig")), "");
        var index = new PodIndex();
        var changed = new List<string>();
        index.Changed += p => { lock (changed) changed.Add(p); };
        using var stop = new CancellationTokenSource();
        var watch = new ObjectWatch(WatchedKind.Pods(kube), index, Log.Silent, TimeProvider.System);
        await watch.StartAsync(stop.Token);
        await watch.Synced.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(server.RequestCount("list", "pods") >= 3, "three pages at least");
        Assert.Equal(PodState.Live, index.Fact("ns-1/pod-1").State);
        Assert.Equal(PodState.Live, index.Fact("ns-3/pod-1200").State);
        Assert.Equal(PodState.Terminal, index.Fact("ns-0/pod-0").State);
        Assert.Equal(PodFact.NotIndexed, index.Fact("ns-0/never"));

        // Gone while nobody watched (the history compacted away): the relist must drop it.
        server.Delete("pods", "ns-2", "pod-2");
        server.Compact();
        server.CloseWatches();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (index.Fact("ns-2/pod-2") != PodFact.NotIndexed && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal(PodFact.NotIndexed, index.Fact("ns-2/pod-2"));
        Assert.Equal(PodState.Live, index.Fact("ns-3/pod-3").State);
        lock (changed) Assert.Contains("ns-2/pod-2", changed);
        await stop.CancelAsync();
        await watch.StopAsync(default);
    }
}
