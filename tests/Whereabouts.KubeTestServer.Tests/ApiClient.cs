using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>
/// A plain HttpClient against the server that trusts only <see cref="KubeTestServer.CaPem"/>,
/// validated here independently of the server code, so the tests also prove the CA/SAN setup.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    public const string Ns = "kube-system";
    public const string Pools = "apis/whereabouts.cni.cncf.io/v1alpha1/namespaces/kube-system/ippools";
    public const string Reservations = "apis/whereabouts.cni.cncf.io/v1alpha1/namespaces/kube-system/overlappingrangeipreservations";

    private readonly HttpClient _http;

    public ApiClient(KubeTestServer server, string? token = null, bool sendToken = true)
    {
        var ca = X509Certificate2.CreateFromPem(server.CaPem);
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, errors) => ChainsTo(ca, cert, errors) },
        };
        _http = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        if (sendToken)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? server.Token);
    }

    public HttpClient Http => _http;

    public Task<Reply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<Reply> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body);

    public Task<Reply> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body);

    public Task<Reply> DeleteAsync(string path, JsonNode? options = null) => SendAsync(HttpMethod.Delete, path, options);

    public Task<Reply> PatchAsync(string path, JsonNode body, string contentType) =>
        SendAsync(HttpMethod.Patch, path, body, contentType);

    public async Task<Reply> SendAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)?.AsObject(), response.Headers);
    }

    public void Dispose() => _http.Dispose();

    private static bool ChainsTo(X509Certificate2 ca, X509Certificate? presented, SslPolicyErrors errors)
    {
        // The name must match (SAN 127.0.0.1); only the "unknown root" part is ours to override.
        if (presented is not X509Certificate2 leaf || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf) && chain.ChainElements[^1].Certificate.Thumbprint == ca.Thumbprint;
    }
}

internal sealed record Reply(HttpStatusCode Status, JsonObject? Body, HttpResponseHeaders Headers)
{
    public string? ResourceVersion => Body?["metadata"]?["resourceVersion"]?.GetValue<string>();

    public long Rv => long.Parse(ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture);

    public string? Reason => Body?["reason"]?.GetValue<string>();

    public string? Message => Body?["message"]?.GetValue<string>();
}
