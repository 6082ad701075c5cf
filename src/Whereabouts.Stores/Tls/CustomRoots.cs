using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;

namespace Whereabouts.Stores.Tls;

/// <summary>
/// TLS trust for stores that trust only the CA their configuration names (kubeconfig, etcd_ca_cert_file).
/// </summary>
public static partial class CustomRoots
{
    /// <summary>A chain policy that ends only at <paramref name="roots"/> and never fetches from the network.</summary>
    public static X509ChainPolicy TrustOnly(X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }

    /// <summary>
    /// .NET on Linux loads the whole system CA store (every file of /etc/ssl/certs, ~150 on Debian) the first
    /// time it builds a chain, even under custom-root trust: ~60–150 ms of a plugin run, measured by both the
    /// Kubernetes and the etcd store. It finds the store through OpenSSL's SSL_CERT_FILE and SSL_CERT_DIR, read
    /// with the C library's getenv (Environment.SetEnvironmentVariable does not reach it). For a process whose
    /// only TLS peer trusts its own CA (the plugin, one request per process), point them at that CA file (or
    /// nothing) before the first handshake. Trust is unchanged: only the configured roots are trusted anyway.
    /// Never called by the stores: the executable passes it as <see cref="StoreHooks.BeforeCustomRootHandshake"/>.
    /// </summary>
    public static void LimitProcessTrustTo(string caFile = "")
    {
        if (Interlocked.Exchange(ref limited, 1) != 0) return;
        _ = SetEnv("SSL_CERT_FILE", caFile.Length > 0 ? Path.GetFullPath(caFile) : "", 1);
        _ = SetEnv("SSL_CERT_DIR", "/nonexistent/whereabouts-no-system-ca", 1);
    }

    static int limited;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
