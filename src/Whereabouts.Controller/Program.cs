using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Whereabouts.Controller;
using Whereabouts.Controller.Events;
using Whereabouts.Controller.Pods;
using Whereabouts.Controller.Reclaim;
using Whereabouts.Kube;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

// whereabouts-controller: on the replica that holds the Lease, reclaims leaked addresses and orphaned
// reservations and keeps NodeSlicePools; every replica keeps its caches warm and serves /metrics and probes.
// SIGTERM stops the work, gives the Lease up and exits (docs/operations.md).
var (options, error) = ControllerOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"whereabouts-controller: {error}\n{ControllerOptions.Usage}");
    return 2;
}
var clock = TimeProvider.System;
var log = Log.ToStream(Whereabouts.Core.Config.LogLevel.Verbose, Console.Error);

using var kube = new KubeClientConnection(options.InCluster, options.Kubeconfig, options.Namespace);
await using IPoolStore store = options.Datastore == "kubernetes"
    ? new KubernetesPoolStore(kube.Connection, log)
    : Whereabouts.Cni.Stores.Open(EtcdSettings.From(options), log, new Whereabouts.Cni.StoreOptions());
var metrics = new ControllerMetrics();
IEventSink sink = new KubernetesEventSink(kube.Client, log, clock, options.EffectiveIdentity());

var pods = new PodIndex();
var podWatch = new ObjectWatch(WatchedKind.Pods(kube), pods, log, clock);
var live = new LivePods(kube);
var sweeper = new Sweeper(store, pods.Fact, (suspects, ct) => live.Confirm(suspects, pods.Fact, ct), options.GracePeriod, log, clock);
var reclaiming = new ReclaimLoop(sweeper, metrics, new PoolEvents(sink, kube.Namespace), options.SweepInterval, log, clock);
pods.Changed += _ => reclaiming.Nudge();

var slices = options.NodeSlices && options.Datastore == "kubernetes"
    ? new Whereabouts.Controller.Slices.SliceLoop(kube.Client,
        new Whereabouts.Controller.Slices.NodeSliceReconciler(kube.Client, kube.Namespace, Whereabouts.Controller.Slices.NodeSliceReconciler.EmptyIn(store), sink, log),
        TimeSpan.FromSeconds(10), log, clock)
    : null;

var leadership = new Leadership(kube, options.EffectiveLeaseNamespace(kube.Namespace), options.LeaseName, options.EffectiveIdentity(), options, metrics, log);
async Task Lead(CancellationToken leading)
{
    await podWatch.Synced.WaitAsync(leading);
    await Task.WhenAll(reclaiming.Run(leading), slices?.Run(leading) ?? Task.CompletedTask);
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout);
builder.Services.AddSingleton<IHostedService>(podWatch);
builder.Services.AddSingleton<IHostedService>(new LeaderService(leadership, Lead));
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    if (options.MetricsAddress != "none") kestrel.Listen(IPEndPoint.Parse(options.MetricsAddress));
});
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.MapGet("/readyz", () => podWatch.Synced.IsCompleted ? Results.Text(leadership.IsLeader ? "ready: leading" : "ready: standing by")
    : Results.Text("the pod index is not synced yet", statusCode: 503));
app.MapMetrics(registry: metrics.Registry);

await app.StartAsync();
log.Verbose($"whereabouts-controller {options.EffectiveIdentity()}: pools in the {options.Datastore} datastore" +
            (options.Datastore == "kubernetes" ? $" (namespace {kube.Namespace})" : "") +
            $", sweep every {options.SweepInterval.TotalSeconds:0.#}s, grace {options.GracePeriod.TotalSeconds:0.#}s" +
            (options.MetricsAddress != "none" ? $", metrics on http://{options.MetricsAddress}/metrics" : ""));
await app.WaitForShutdownAsync();
log.Verbose("whereabouts-controller: stopped");
return 0;
