namespace Whereabouts.Deploy.Tests;

/// <summary>
/// A node's host file system, as far as the DaemonSet touches it, under one temporary directory: each hostPath
/// the manifests name maps to a directory of the same path under <see cref="Root"/>. The pod's projected
/// service-account files (token, CA, namespace) are written there too, readable by the controller's uid.
/// </summary>
sealed class FakeNode : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("wb-node-").FullName;
    public string Name { get; }

    public FakeNode(string name, string token, string caPem, string ns = "kube-system")
    {
        Name = name;
        File.SetUnixFileMode(Root, (UnixFileMode)0x1ED);
        var sa = Host("/var/run/secrets/kubernetes.io/serviceaccount");
        File.WriteAllText(Path.Combine(sa, "token"), token);
        File.WriteAllText(Path.Combine(sa, "ca.crt"), caPem);
        File.WriteAllText(Path.Combine(sa, "namespace"), ns);
    }

    /// <summary>The directory standing for <paramref name="hostPath"/> on this node, created (0755) if need be.</summary>
    public string Host(string hostPath)
    {
        var path = Path.Combine(Root, hostPath.TrimStart('/'));
        Directory.CreateDirectory(path);
        for (var d = new DirectoryInfo(path); d.FullName.Length > Root.Length; d = d.Parent!)
            d.UnixFileMode = (UnixFileMode)0x1ED;
        return path;
    }

    public string ServiceAccountDir => Host("/var/run/secrets/kubernetes.io/serviceaccount");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
