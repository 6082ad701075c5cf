using Whereabouts.Stores.Tls;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>One answer of the API server: its status code, body and Retry-After.</summary>
readonly record struct KubeResponse(int Code, byte[] Body, TimeSpan? RetryAfter)
{
    public bool Ok => Code is >= 200 and < 300;

    /// <summary>The Status body's message, else the start of the body.</summary>
    public string Message => Field("message") is { Length: > 0 } m ? m : Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 200))).Trim();

    public string Reason => Field("reason");

    /// <summary>details.name of a Status: the object a 404 or 409 is about (absent when a whole route is missing).</summary>
    public string DetailsName
    {
        get
        {
            try
            {
                using var doc = JsonDocument.Parse(Body);
                return doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object
                    && d.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? "" : "";
            }
            catch (JsonException) { return ""; }
        }
    }

    string Field(string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(Body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString() ?? "" : "";
        }
        catch (JsonException) { return ""; }
    }
}

/// <summary>
/// The request could not be completed: no connection, a reset, a timeout. For a write, whether the server
/// applied it is unknown.
/// </summary>
sealed class KubeTransportException(string message, Exception? inner) : Exception(message, inner);

/// <summary>
/// The four calls the plugin makes on namespaced custom objects (GET, POST, PUT, DELETE; LIST only for
/// STATUS and for cleanup of orphaned reservations), over one <see cref="SocketsHttpHandler"/>. Not KubernetesClient: linking it costs ~40 ms and
/// ~14 MB per plugin process (docs/benchmarks.md), and the plugin needs none of its models.
/// <para>
/// Trust is exactly the kubeconfig's: with a CA there, the server's chain must end at that CA
/// (<see cref="X509ChainTrustMode.CustomRootTrust"/>), so the system CA directory plays no part; without
/// one, the system trust applies, as with client-go. HTTP/2 when the server offers it (the apiserver does),
/// so parallel reads of a dual-stack ADD share one TLS connection.
/// </para>
/// </summary>
sealed partial class KubeApi : IDisposable
{
    public const string Group = "whereabouts.cni.cncf.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;

    /// <summary>Ours, when this KubeApi set up the connection itself (null over a <see cref="KubeConnection"/>).</summary>
    readonly HttpMessageInvoker? http;
    readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send;
    readonly string collectionBase;
    readonly AuthenticationHeaderValue? auth;
    readonly TimeSpan requestTimeout;
    readonly TimeSpan connectTimeout;
    static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromSeconds(5);

    public string Namespace { get; }
    public string Server { get; }

    public KubeApi(Kubeconfig config, TimeSpan requestTimeout, StoreHooks? hooks = null)
    {
        this.requestTimeout = requestTimeout;
        Namespace = config.Namespace;
        Server = config.Server.GetLeftPart(UriPartial.Path).TrimEnd('/');
        collectionBase = $"{Server}/apis/{Group}/{Version}/namespaces/{Uri.EscapeDataString(config.Namespace)}/";
        auth = config.Token.Length > 0 ? new AuthenticationHeaderValue("Bearer", config.Token)
            : config.Username.Length > 0 ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{config.Username}:{config.Password}")))
            : null;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = connectTimeout = requestTimeout < MaxConnectTimeout ? requestTimeout : MaxConnectTimeout,
            SslOptions = Tls(config, hooks ?? StoreHooks.None),
        };
        if (config.ProxyUrl.Length > 0) handler.Proxy = new WebProxy(config.ProxyUrl);
        http = new HttpMessageInvoker(handler);
        send = http.SendAsync;
    }

    /// <summary>Over a connection another library set up and authenticates (<see cref="KubeConnection"/>); not disposed here.</summary>
    public KubeApi(KubeConnection connection)
    {
        requestTimeout = connection.RequestTimeout;
        connectTimeout = requestTimeout < MaxConnectTimeout ? requestTimeout : MaxConnectTimeout;
        Namespace = connection.Namespace;
        Server = connection.Server.GetLeftPart(UriPartial.Path).TrimEnd('/');
        collectionBase = $"{Server}/apis/{Group}/{Version}/namespaces/{Uri.EscapeDataString(connection.Namespace)}/";
        send = connection.Send;
    }

    static SslClientAuthenticationOptions Tls(Kubeconfig config, StoreHooks hooks)
    {
        var options = new SslClientAuthenticationOptions();
        // With its own trust (a CA, or none at all) the kubeconfig makes the system CA store irrelevant. First:
        // the client certificate's context below builds a chain, and the first chain build loads the store.
        if (config.CaPem.Length > 0 || config.InsecureSkipTlsVerify) hooks.BeforeCustomRootHandshake?.Invoke("");
        if (config.ClientCertificatePem.Length > 0)
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(config.ClientCertificatePem);
            var leaf = X509Certificate2.CreateFromPem(config.ClientCertificatePem, config.ClientKeyPem);
            // A ready context, offline: SslStream would otherwise build the chain (and fetch intermediates) at the handshake.
            options.ClientCertificateContext = SslStreamCertificateContext.Create(leaf, chain.Count > 1 ? new X509Certificate2Collection(chain.Skip(1).ToArray()) : null, offline: true);
        }
        if (config.InsecureSkipTlsVerify)
        {
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
            return options;
        }
        if (config.CaPem.Length > 0)
        {
            var roots = new X509Certificate2Collection();
            try { roots.ImportFromPem(config.CaPem); }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new StoreUnavailableException($"kubeconfig {config.Source}: the certificate authority is not PEM: {e.Message}", transient: false, e);
            }
            if (roots.Count == 0) throw new StoreUnavailableException($"kubeconfig {config.Source}: the certificate authority holds no certificate", transient: false);
            options.CertificateChainPolicy = CustomRoots.TrustOnly(roots);
        }
        if (config.TlsServerName.Length > 0)
        {
            var name = config.TlsServerName;
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None
                || (errors == SslPolicyErrors.RemoteCertificateNameMismatch && certificate is X509Certificate2 c && c.MatchesHostname(name));
        }
        return options;
    }

    public Uri Url(string plural, string? name, string query = "") =>
        new(collectionBase + plural + (name is null ? "" : "/" + Uri.EscapeDataString(name)) + query);

    public Task<KubeResponse> Get(string plural, string name, CancellationToken ct) => Send(HttpMethod.Get, Url(plural, name), null, ct);

    public Task<KubeResponse> List(string plural, int limit, CancellationToken ct) =>
        Send(HttpMethod.Get, Url(plural, null, $"?limit={limit}"), null, ct);

    /// <summary>One page of a LIST: at most <paramref name="limit"/> objects, from where <paramref name="continueToken"/> left off.</summary>
    public Task<KubeResponse> ListPage(string plural, int limit, string continueToken, CancellationToken ct) =>
        Send(HttpMethod.Get, Url(plural, null, $"?limit={limit}" + (continueToken.Length > 0 ? "&continue=" + Uri.EscapeDataString(continueToken) : "")), null, ct);

    public Task<KubeResponse> Create(string plural, byte[] body, CancellationToken ct) => Send(HttpMethod.Post, Url(plural, null), body, ct);

    public Task<KubeResponse> Replace(string plural, string name, byte[] body, CancellationToken ct) => Send(HttpMethod.Put, Url(plural, name), body, ct);

    public Task<KubeResponse> Delete(string plural, string name, byte[] options, CancellationToken ct) => Send(HttpMethod.Delete, Url(plural, name), options, ct);

    /// <summary>One core/v1 pod (CNI GC asks which node a pod is bound to).</summary>
    public Task<KubeResponse> GetPod(string podNamespace, string name, CancellationToken ct) =>
        Send(HttpMethod.Get, new Uri($"{Server}/api/v1/namespaces/{Uri.EscapeDataString(podNamespace)}/pods/{Uri.EscapeDataString(name)}"), null, ct);

    /// <summary>The names of every object of <paramref name="plural"/> in the namespace (tests clean real clusters with it).</summary>
    internal async Task<IReadOnlyList<string>> Names(string plural, CancellationToken ct)
    {
        var r = await Send(HttpMethod.Get, Url(plural, null), null, ct);
        if (!r.Ok) throw new InvalidOperationException($"list {plural}: {r.Code} {r.Message}");
        using var doc = JsonDocument.Parse(r.Body);
        return doc.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("metadata").GetProperty("name").GetString() ?? "").ToList();
    }

    async Task<KubeResponse> Send(HttpMethod method, Uri url, byte[]? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("whereabouts", "1.0"));
        if (auth is not null) request.Headers.Authorization = auth;
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(requestTimeout);
        try
        {
            using var response = await send(request, timeout.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var retryAfter = response.Headers.RetryAfter is { } ra
                ? ra.Delta ?? (ra.Date is { } d ? d - DateTimeOffset.UtcNow : null)
                : null;
            return new KubeResponse((int)response.StatusCode, bytes, retryAfter);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            // Our own timeouts, not the caller's deadline (that one propagates): the request's, or the connect's.
            throw new KubeTransportException(timeout.IsCancellationRequested
                ? $"{method} {url.AbsolutePath}: no answer from {Server} within {requestTimeout.TotalSeconds:0.###}s"
                : $"{method} {url.AbsolutePath}: could not connect to {Server} (with TLS) within {connectTimeout.TotalSeconds:0.###}s", e);
        }
        catch (HttpRequestException e) when (Untrusted(e) is { } tls)
        {
            throw new StoreUnavailableException(
                $"TLS with the Kubernetes API {Server} failed: {tls.Message}; check certificate-authority(-data) in the kubeconfig", transient: false, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new KubeTransportException($"{method} {url.AbsolutePath} on {Server} failed: {Describe(e)}", e);
        }
    }

    static AuthenticationException? Untrusted(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is AuthenticationException a) return a;
        return null;
    }

    static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (parts.Count == 0 || !parts[^1].Contains(x.Message, StringComparison.Ordinal)) parts.Add(x.Message);
        return string.Join(": ", parts);
    }

    public void Dispose() => http?.Dispose();
}
