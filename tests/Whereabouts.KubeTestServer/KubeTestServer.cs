using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// An in-process stand-in for kube-apiserver, serving namespaced custom objects over HTTPS with
/// bearer-token auth, optimistic concurrency on one global resourceVersion counter, watch with a bounded
/// event history (resume by resourceVersion, 410 Expired, bookmarks, selectors), apiserver-shaped
/// Status errors, and run-time fault injection. Start one per test; dispose it when done.
/// </summary>
public sealed class KubeTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestCertificates _certificates;
    private readonly ObjectStore _store;
    private readonly RequestCounters _counters;
    private readonly CancellationTokenSource _stopping;
    private CustomObjectEndpoint _endpoint = null!;

    private KubeTestServer(WebApplication app, TestCertificates certificates, ObjectStore store,
        RequestCounters counters, CancellationTokenSource stopping, FaultInjector faults, string token, Uri baseAddress)
    {
        _stopping = stopping;
        _app = app;
        _certificates = certificates;
        _store = store;
        _counters = counters;
        Faults = faults;
        Token = token;
        BaseAddress = baseAddress;
    }

    /// <summary>https://127.0.0.1:{port}/ of the running server.</summary>
    public Uri BaseAddress { get; }

    /// <summary>PEM of the CA that signed the serving certificate; what clients must trust.</summary>
    public string CaPem => _certificates.CaPem;

    /// <summary>The bearer token every request must carry.</summary>
    public string Token { get; }

    /// <summary>Fault injection, adjustable while the server runs.</summary>
    public FaultInjector Faults { get; }

    /// <summary>The newest resourceVersion handed out (0 before the first write).</summary>
    public long CurrentResourceVersion => _store.Revision;

    public static async Task<KubeTestServer> StartAsync(KubeTestServerOptions? options = null)
    {
        options ??= new KubeTestServerOptions();
        var token = options.Token ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var certificates = TestCertificates.Create();
        var store = new ObjectStore([.. options.Resources, .. CustomResourceType.BuiltIn], options.Time, options.AllowUnconditionalUpdate);
        var counters = new RequestCounters();
        var faults = new FaultInjector(options.Seed);
        var stopping = new CancellationTokenSource();

        // Slim builder: no config files or env-driven URLs can leak in from the test machine.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificates.Server,
                    // Asked for, never required; checked per request against the client CA (see CustomObjectEndpoint.ClientUser).
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    ClientCertificateValidation = static (_, _, _) => true,
                });
            });
        });

        var app = builder.Build();
        store.MaxObjectBytes = options.MaxObjectBytes;
        store.WatchHistory = options.WatchHistory;
        var endpoint = new CustomObjectEndpoint(store, faults, counters, token, stopping.Token)
        {
            Watches = new WatchStream(store, options.WatchTimeout, options.WatchBookmarkInterval, stopping.Token),
            MaxRequestBodyBytes = options.MaxRequestBodyBytes,
            Authorize = options.Authorize,
            ClientUser = c => certificates.IsTrustedClient(c) ? c.GetNameInfo(X509NameType.SimpleName, forIssuer: false) : null,
        };
        app.Run(endpoint.HandleAsync);

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            certificates.Dispose();
            stopping.Dispose();
            throw;
        }

        // Port 0 was resolved at bind time; read it back and present it as https://127.0.0.1:port/.
        var bound = new Uri(app.Urls.Single());
        var baseAddress = new Uri($"https://127.0.0.1:{bound.Port}/");
        return new KubeTestServer(app, certificates, store, counters, stopping, faults, token, baseAddress) { _endpoint = endpoint };
    }

    /// <summary>
    /// Writes a kubeconfig for this server (token user, context namespace) and returns its full path.
    /// With <paramref name="inlineCa"/> false the CA goes to "{path}.ca.crt" and is referenced by path.
    /// </summary>
    public string WriteKubeconfig(string path, string @namespace = "kube-system", bool inlineCa = true) =>
        KubeconfigWriter.Write(path, BaseAddress, CaPem, Token, @namespace, inlineCa);

    /// <summary>PEM of the CA client certificates must chain to (the apiserver's --client-ca-file).</summary>
    public string ClientCaPem => _certificates.ClientCaPem;

    /// <summary>
    /// A client certificate and key (PEM) that authenticate as <paramref name="user"/> (its CN), signed by the
    /// client CA; with <paramref name="trusted"/> false, by a CA the server does not trust (its requests get 401).
    /// </summary>
    public (string CertificatePem, string KeyPem) IssueClientCertificate(string user = "whereabouts", bool trusted = true) =>
        _certificates.IssueClient(user, ["system:authenticated"], trusted);

    /// <summary>
    /// Writes a kubeconfig whose user authenticates with a client certificate for <paramref name="user"/>
    /// (client-certificate-data/client-key-data, or files beside it with <paramref name="inlineCa"/> false) and
    /// no token; returns its full path.
    /// </summary>
    public string WriteClientCertificateKubeconfig(string path, string @namespace = "kube-system", string user = "whereabouts", bool inlineCa = true, bool trusted = true) =>
        KubeconfigWriter.Write(path, BaseAddress, CaPem, "", @namespace, inlineCa, IssueClientCertificate(user, trusted));

    /// <summary>Requests that authenticated as <paramref name="user"/>: "token" for the bearer token, else a client certificate's CN.</summary>
    public int RequestCountBy(string user) => _endpoint.Users.GetValueOrDefault(user);

    /// <summary>The requests <see cref="KubeTestServerOptions.Authorize"/> refused, in order.</summary>
    public IReadOnlyList<RequestAttributes> Denied => [.. _endpoint.Denied];

    /// <summary>Requests seen with this verb (see <see cref="KubeVerbs"/>), including faulted and unauthorized ones.</summary>
    public int RequestCount(string verb) => _counters.Count(verb);

    /// <summary>Requests seen with this verb on one resource plural.</summary>
    public int RequestCount(string verb, string plural) => _counters.Count(verb, plural);

    public void ResetRequestCounts() => _counters.Reset();

    /// <summary>The stored object, or null. A copy: editing it changes nothing on the server.</summary>
    public JsonObject? Get(string plural, string ns, string name) => _store.Peek(plural, ns, name);

    /// <summary>
    /// Stores <paramref name="obj"/> unconditionally, as if a client (e.g. upstream whereabouts) had written it:
    /// sets namespace, fills uid/creationTimestamp/generation if absent, assigns a fresh resourceVersion,
    /// and fills apiVersion/kind for registered plurals. Returns the stored copy.
    /// </summary>
    public JsonObject Put(string plural, string ns, JsonObject obj) => _store.Seed(plural, ns, obj);

    /// <summary>
    /// Seeds core/v1 pod <paramref name="ns"/>/<paramref name="name"/>, bound to <paramref name="nodeName"/> (null:
    /// not scheduled yet), Running. Over HTTP pods are created, changed and deleted as any object; here
    /// <see cref="Delete"/>("pods", …) removes one as the API's pod garbage collection would (a DELETED event).
    /// </summary>
    public JsonObject PutPod(string ns, string name, string? nodeName)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "pause" }) };
        if (nodeName is not null) spec["nodeName"] = nodeName;
        return _store.Seed("pods", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["phase"] = nodeName is null ? "Pending" : "Running" },
        });
    }

    /// <summary>Sets a pod's status.phase (Pending, Running, Succeeded, Failed, Unknown), as its kubelet would: a MODIFIED event.</summary>
    public JsonObject SetPodPhase(string ns, string name, string phase)
    {
        var pod = _store.Peek("pods", ns, name) ?? throw new ArgumentException($"no pod {ns}/{name}");
        pod["status"] = new JsonObject { ["phase"] = phase };
        return _store.Seed("pods", ns, pod);
    }

    /// <summary>Seeds core/v1 node <paramref name="name"/> (cluster-scoped), Ready.</summary>
    public JsonObject PutNode(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var meta = new JsonObject { ["name"] = name };
        if (labels is not null) meta["labels"] = new JsonObject(labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        return _store.Seed("nodes", "", new JsonObject
        {
            ["metadata"] = meta,
            ["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) },
        });
    }

    /// <summary>Copies of the objects of one plural in one namespace ("" for a cluster-scoped kind), ordered by name.</summary>
    public IReadOnlyList<JsonObject> List(string plural, string ns) => _store.Snapshot(plural, ns);

    /// <summary>Removes an object without HTTP; false if it was not there.</summary>
    public bool Delete(string plural, string ns, string name) => _store.Remove(plural, ns, name);

    /// <summary>
    /// Drops the whole watch history up to now, as etcd compaction does: a watch from any earlier
    /// resourceVersion then gets an ERROR event with a 410 Expired Status.
    /// </summary>
    public void Compact() => _store.Compact();

    /// <summary>Ends every open watch stream cleanly, as an apiserver does when it closes watches (e.g. on restart).</summary>
    public void CloseWatches() => _store.CloseWatches();

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificates.Dispose();
        _stopping.Dispose();
    }
}
