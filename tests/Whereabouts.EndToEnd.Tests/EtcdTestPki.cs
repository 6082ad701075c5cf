using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Whereabouts.Testing.Etcd;

/// <summary>
/// Certificates for a mutual-TLS etcd, made in the test with CertificateRequest: a CA, a server certificate
/// for 127.0.0.1/localhost, a client certificate, and a second, unrelated CA (for "wrong CA" tests). All PEM
/// files in <see cref="Dir"/>; keys are PKCS#8 ECDSA P-256, which both etcd (Go) and .NET read.
/// </summary>
/// <remarks>The same file is in tests/Whereabouts.Stores.Tests/Etcd and tests/Whereabouts.EndToEnd.Tests: keep them identical.</remarks>
public sealed class EtcdTestPki
{
    public string Dir { get; }
    public string CaFile => Path.Combine(Dir, "ca.pem");
    public string ServerCertFile => Path.Combine(Dir, "server.pem");
    public string ServerKeyFile => Path.Combine(Dir, "server-key.pem");
    public string ClientCertFile => Path.Combine(Dir, "client.pem");
    public string ClientKeyFile => Path.Combine(Dir, "client-key.pem");
    public string OtherCaFile => Path.Combine(Dir, "other-ca.pem");

    EtcdTestPki(string dir) => Dir = dir;

    public static EtcdTestPki Create(string dir)
    {
        Directory.CreateDirectory(dir);
        var pki = new EtcdTestPki(dir);
        var from = DateTimeOffset.UtcNow.AddDays(-1);
        var until = DateTimeOffset.UtcNow.AddDays(30);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("CN=whereabouts test CA", caKey, from, until);
        File.WriteAllText(pki.CaFile, ca.ExportCertificatePem());

        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = CreateCa("CN=whereabouts unrelated CA", otherKey, from, until);
        File.WriteAllText(pki.OtherCaFile, other.ExportCertificatePem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        // The server certificate is also a client one: etcd's gRPC gateway dials etcd's own gRPC port with it, and
        // with --client-cert-auth that dial fails ("connection closed", HTTP 503) unless it allows client auth,
        // as kubeadm's etcd certificates do.
        Issue(ca, "CN=127.0.0.1", [ServerAuth, ClientAuth], san.Build(), from, until, pki.ServerCertFile, pki.ServerKeyFile);
        Issue(ca, "CN=whereabouts", [ClientAuth], null, from, until, pki.ClientCertFile, pki.ClientKeyFile);
        return pki;
    }

    const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    static X509Certificate2 CreateCa(string subject, ECDsa key, DateTimeOffset from, DateTimeOffset until)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(from, until);
    }

    static void Issue(X509Certificate2 ca, string subject, string[] usages, X509Extension? san, DateTimeOffset from, DateTimeOffset until,
        string certFile, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var oids = new OidCollection();
        foreach (var usage in usages) oids.Add(new Oid(usage));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null) request.CertificateExtensions.Add(san);
        using var cert = request.Create(ca, from, until, RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
