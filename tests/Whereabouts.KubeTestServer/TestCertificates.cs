using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// A throwaway CA and a server certificate it signed for 127.0.0.1, ::1 and localhost, made fresh
/// per server so clients exercise real chain validation against a private root (as with a cluster CA).
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _clientCaKey;

    private TestCertificates(X509Certificate2 ca, X509Certificate2 server, X509Certificate2 clientCa, ECDsa clientCaKey)
    {
        Ca = ca;
        Server = server;
        ClientCa = clientCa;
        _clientCaKey = clientCaKey;
    }

    /// <summary>
    /// The CA client certificates must chain to (the apiserver's --client-ca-file), separate from the serving CA
    /// as in a kubeadm cluster. Public part only.
    /// </summary>
    public X509Certificate2 ClientCa { get; }

    public string ClientCaPem => ClientCa.ExportCertificatePem() + "\n";

    /// <summary>
    /// A client certificate for <paramref name="user"/> (CN; <paramref name="groups"/> as O, as the apiserver reads
    /// them), signed by <see cref="ClientCa"/>, or by a throwaway CA nobody trusts when <paramref name="trusted"/> is
    /// false. PEM of the certificate and of its PKCS#8 key.
    /// </summary>
    public (string CertificatePem, string KeyPem) IssueClient(string user, IEnumerable<string>? groups = null, bool trusted = true)
    {
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var g in groups ?? []) subject.AddOrganizationName(g);
        subject.AddCommonName(user);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (trusted) request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ClientCa, true, false));
        using var otherKey = trusted ? null : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = trusted ? null : SelfSignedCa("CN=not-the-client-ca", otherKey!, notBefore, notAfter);
        using var signed = trusted
            ? request.Create(ClientCa.SubjectName, X509SignatureGenerator.CreateForECDsa(_clientCaKey), notBefore, notAfter, RandomNumberGenerator.GetBytes(16))
            : request.Create(other!, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return (signed.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>Whether <paramref name="certificate"/> is a client certificate that chains to <see cref="ClientCa"/>.</summary>
    public bool IsTrustedClient(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ClientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }

    private static X509Certificate2 SelfSignedCa(string name, ECDsa key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>The CA, public part only: what a kubeconfig's certificate-authority-data carries.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The leaf with its private key, for Kestrel.</summary>
    public X509Certificate2 Server { get; }

    public string CaPem => Ca.ExportCertificatePem() + "\n";

    public static TestCertificates Create()
    {
        // A little slack either side so clock skew or a long test run never trips validity checks.
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=whereabouts-kube-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caCert = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCert, true, false));

        using var signed = request.Create(caCert, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        // Round-trip through PKCS#12 so the key is not ephemeral; TLS stacks can refuse ephemeral keys.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificate(caCert.RawData);
        var clientCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var clientCaCert = SelfSignedCa("CN=whereabouts-kube-test-client-ca", clientCaKey, notBefore, notAfter);
        var clientCa = X509CertificateLoader.LoadCertificate(clientCaCert.RawData);
        return new TestCertificates(ca, server, clientCa, clientCaKey);
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        ClientCa.Dispose();
        _clientCaKey.Dispose();
    }
}
