namespace Whereabouts.Installer;

/// <summary>The pod's projected service-account files: the token the kubelet rotates, the cluster CA and the namespace.</summary>
public sealed record ServiceAccount(string Token, byte[] CaCertificate, string Namespace)
{
    /// <param name="ns">The namespace to name instead of the service account's; empty for the account's own.</param>
    public static ServiceAccount Read(string dir, string ns = "")
    {
        string Text(string name) => File.ReadAllText(Path.Combine(dir, name)).Trim();
        var token = Text("token");
        if (token.Length == 0) throw new InvalidDataException($"{Path.Combine(dir, "token")} is empty");
        if (ns.Length == 0) ns = File.Exists(Path.Combine(dir, "namespace")) ? Text("namespace") : "";
        return new ServiceAccount(token, File.ReadAllBytes(Path.Combine(dir, "ca.crt")), ns.Length > 0 ? ns : "kube-system");
    }
}
