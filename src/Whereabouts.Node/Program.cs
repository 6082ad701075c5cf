using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Whereabouts.Cni;
using Whereabouts.Node;
using Whereabouts.Kube;
using Whereabouts.Node.Kube;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

// whereabouts-node: serves the CNI requests the plugin forwards over a Unix socket, until SIGTERM, which
// stops taking new ones and lets those in flight finish (up to --drain-timeout-ms).
var (options, error) = AgentOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"whereabouts-node: {error}\n{AgentOptions.Usage}");
    return 2;
}
var clock = TimeProvider.System;
var log = Log.ToStream(Whereabouts.Core.Config.LogLevel.Verbose, Console.Error);

// Kubernetes: one KubernetesClient connection for the watch and the pool store, and the watched cache between them.
using var kube = options.Datastore == "kubernetes" ? new KubeClientConnection(options.InCluster, options.Kubeconfig, options.Namespace) : null;
var cache = kube is null ? null : new PoolCache(clock);
var kubeStore = kube is null ? null : new KubernetesPoolStore(kube.Connection, log);
if (kubeStore is not null) kubeStore.PoolWritten += cache!.Put;
var reservations = kube is null ? null : new ReservationCache();
var slicePools = kube is null ? null : new NodeSliceCache();
var watches = kube is null ? [] : new[]
{
    new ObjectWatch(kube, KubernetesPoolStore.Pools, cache!, log, clock),
    new ObjectWatch(kube, KubernetesPoolStore.Reservations, reservations!, log, clock),
    new ObjectWatch(kube, KubernetesPoolStore.NodeSlicePools, slicePools!, log, clock),
};

var metrics = new AgentMetrics(cache is null ? null : () => cache.Age.TotalSeconds);
await using var stores = new AgentStores(options, kubeStore is null ? null : new CachedPoolStore(kubeStore, cache!, slicePools), reservations, metrics, log, clock);
var dispatcher = new CniDispatcher(stores.Cache, LocalFiles.ReadIfExists, Console.Error, clock, Random.Shared.NextDouble, stores.Hosting);
var endpoint = new CniEndpoint(dispatcher, options, metrics);

SocketPath.Prepare(options.Socket);
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout);
foreach (var w in watches) builder.Services.AddSingleton<IHostedService>(w);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
    kestrel.Limits.RequestHeadersTimeout = options.ReadTimeout;
    kestrel.Limits.KeepAliveTimeout = options.ReadTimeout;
    kestrel.ListenUnixSocket(options.Socket);
    if (options.MetricsAddress != "none") kestrel.Listen(IPEndPoint.Parse(options.MetricsAddress));
});
var app = builder.Build();

// CNI on the socket only; metrics and probes on the TCP listener only.
static bool OnSocket(HttpContext http) => http.Connection.LocalIpAddress is null;
app.MapPost("/v1/cni", (HttpContext http) => OnSocket(http) ? endpoint.Handle(http) : Task.FromResult(http.Response.StatusCode = 404));
app.MapGet("/healthz", () => "ok");
app.MapGet("/readyz", () => watches.All(w => w.Synced.IsCompleted) ? Results.Text("ready") : Results.Text("the IPPool, reservation and NodeSlicePool caches are not synced yet", statusCode: 503));
app.MapMetrics(registry: metrics.Registry);

await app.StartAsync();
SocketPath.Restrict(options.Socket);
log.Verbose($"whereabouts-node: serving the {options.Datastore} datastore on {options.Socket}" +
            (options.MetricsAddress != "none" ? $", metrics on http://{options.MetricsAddress}/metrics" : ""));
await app.WaitForShutdownAsync();
SocketPath.Remove(options.Socket);
log.Verbose("whereabouts-node: stopped");
return 0;
