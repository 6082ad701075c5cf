using System.Text;

namespace Whereabouts.Installer.Tests;

/// <summary>
/// A node's directories as the DaemonSet mounts them, under one temporary root: the image's plugin, the host's
/// CNI bin dir and whereabouts.d, and the pod's projected service-account files, laid out as the kubelet
/// lays them out (the files are symlinks into a "..data" directory that is swapped on rotation).
/// </summary>
sealed partial class NodeDirs : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("wb-install-").FullName;
    public string Plugin => Path.Combine(Root, "image/whereabouts");
    public string CniBin => Path.Combine(Root, "host/opt/cni/bin");
    public string ConfigDir => Path.Combine(Root, "host/etc/cni/net.d/whereabouts.d");
    public string ServiceAccount => Path.Combine(Root, "serviceaccount");
    int generation;

    /// <summary>A self-signed CA certificate, PEM: KubernetesClient parses the one it is given.</summary>
    public static readonly string SomeCa = MakeCa();

    public NodeDirs(string token = "token-1", string? ca = null, string ns = "kube-system")
    {
        ca ??= SomeCa;
        Directory.CreateDirectory(Path.GetDirectoryName(Plugin)!);
        File.WriteAllBytes(Plugin, Encoding.UTF8.GetBytes("#!/bin/sh\necho plugin v1\n"));
        File.SetUnixFileMode(Plugin, (UnixFileMode)0x1ED);
        Directory.CreateDirectory(ServiceAccount);
        Rotate(token, ca, ns);
        foreach (var name in new[] { "token", "ca.crt", "namespace" })
            File.CreateSymbolicLink(Path.Combine(ServiceAccount, name), Path.Combine("..data", name));
    }

    /// <summary>The kubelet's projected-volume update: a new timestamped directory, then "..data" swapped to it by rename.</summary>
    public void Rotate(string token, string ca, string ns)
    {
        var dir = $"..{++generation}";
        Directory.CreateDirectory(Path.Combine(ServiceAccount, dir));
        File.WriteAllText(Path.Combine(ServiceAccount, dir, "token"), token);
        File.WriteAllText(Path.Combine(ServiceAccount, dir, "ca.crt"), ca);
        File.WriteAllText(Path.Combine(ServiceAccount, dir, "namespace"), ns);
        var link = Path.Combine(ServiceAccount, "..data_tmp");
        File.CreateSymbolicLink(link, dir);
        // rename(2) itself: File.Move follows the link to the directory it names and refuses.
        if (Rename(link, Path.Combine(ServiceAccount, "..data")) != 0) throw new IOException("rename ..data_tmp failed");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    static extern int Rename(string from, string to);

    public InstallerOptions Options(string apiHost = "10.96.0.1", string apiPort = "443", string nodeName = "node-1") => new()
    {
        PluginSource = Plugin,
        CniBinDir = CniBin,
        ConfigDir = ConfigDir,
        HostConfigDir = "/etc/cni/net.d/whereabouts.d",
        ServiceAccountDir = ServiceAccount,
        NodeName = nodeName,
        ApiHost = apiHost,
        ApiPort = apiPort,
    };

    static string MakeCa()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return cert.ExportCertificatePem() + "\n";
    }

    public static UnixFileMode Mode(string path) => File.GetUnixFileMode(path);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
