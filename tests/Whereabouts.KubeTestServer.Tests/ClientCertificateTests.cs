using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>
/// Client-certificate authentication as the apiserver's x509 authenticator does it: a certificate that chains
/// to the client CA authenticates as its CN; one that does not is ignored (anonymous: 401); the bearer token
/// keeps working beside it.
/// </summary>
public sealed class ClientCertificateTests
{
    static HttpClient Client(KubeTestServer server, (string CertificatePem, string KeyPem) client)
    {
        var ca = X509Certificate2.CreateFromPem(server.CaPem);
        var certificate = X509Certificate2.CreateFromPem(client.CertificatePem, client.KeyPem);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null)],
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return cert is X509Certificate2 c && chain.Build(c);
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = server.BaseAddress };
    }

    [Fact]
    public async Task A_certificate_signed_by_the_client_CA_authenticates_as_its_CN()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var http = Client(server, server.IssueClientCertificate("alice"));

        var reply = await http.GetAsync(ApiClient.Pools);

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(1, server.RequestCountBy("alice"));
        Assert.Equal(0, server.RequestCountBy("token"));
    }

    [Fact]
    public async Task A_certificate_from_another_CA_is_anonymous_and_401()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var http = Client(server, server.IssueClientCertificate("mallory", trusted: false));

        var reply = await http.GetAsync(ApiClient.Pools);

        Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        Assert.Equal(0, server.RequestCountBy("mallory"));
    }

    [Fact]
    public async Task The_token_still_authenticates_when_certificates_are_accepted()
    {
        await using var server = await KubeTestServer.StartAsync();
        using var api = new ApiClient(server);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(ApiClient.Pools)).Status);
        Assert.Equal(1, server.RequestCountBy("token"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_client_certificate_kubeconfig_names_no_token_and_a_certificate(bool inline)
    {
        await using var server = await KubeTestServer.StartAsync();
        var dir = Path.Combine(Path.GetTempPath(), "kts-cc-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var path = server.WriteClientCertificateKubeconfig(Path.Combine(dir, "kubeconfig"), inlineCa: inline);
            var yaml = File.ReadAllText(path);
            Assert.DoesNotContain("token:", yaml);
            Assert.Contains(inline ? "client-certificate-data:" : "client-certificate:", yaml);
            Assert.Contains(inline ? "client-key-data:" : "client-key:", yaml);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
