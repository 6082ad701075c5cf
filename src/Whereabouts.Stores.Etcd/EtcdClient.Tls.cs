using Whereabouts.Stores.Tls;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Whereabouts.Stores.Etcd;

/// <summary>The TLS client options of the etcd connection: the configured CA only, the client certificate when set.</summary>
public sealed partial class EtcdClient
{
    static SslClientAuthenticationOptions TlsOptions(EtcdOptions options)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (options.CertFile.Length > 0)
        {
            X509Certificate2 client;
            try
            {
                client = X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new StoreUnavailableException(
                    $"cannot load the etcd client certificate from etcd_cert_file {options.CertFile} and etcd_key_file {options.KeyFile}: {e.Message}", transient: false, e);
            }
            // A ready context: SslStream would otherwise build the client certificate's chain (and reach for
            // intermediates online) on the first handshake. etcd_cert_file may hold the chain after the leaf.
            var chain = new X509Certificate2Collection();
            try { chain.ImportFromPemFile(options.CertFile); } catch (CryptographicException) { }
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(client,
                new X509Certificate2Collection(chain.Where(c => c.Thumbprint != client.Thumbprint).ToArray()), offline: true);
        }
        if (options.CaCertFile.Length > 0)
        {
            var roots = new X509Certificate2Collection();
            try
            {
                roots.ImportFromPemFile(options.CaCertFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new StoreUnavailableException($"cannot read etcd_ca_cert_file {options.CaCertFile}: {e.Message}", transient: false, e);
            }
            if (roots.Count == 0)
                throw new StoreUnavailableException($"etcd_ca_cert_file {options.CaCertFile} holds no PEM certificate", transient: false);
            // Trust exactly these roots, and never fetch missing intermediates from the network. (.NET still
            // loads the system store to look for intermediates: see EtcdOptions.Hooks.)
            ssl.CertificateChainPolicy = CustomRoots.TrustOnly(roots);
        }
        return ssl;
    }
}
