using k8s;
using Whereabouts.Kube;

namespace Whereabouts.Kubectl.Access;

/// <summary>
/// The API server connection kubectl would make: KubernetesClient reads the kubeconfig, so every kind of
/// credential it knows works (tokens, token files, client certificates, exec plugins, auth providers).
/// <code>
///   --kubeconfig PATH  |  $KUBECONFIG (its first existing file)  |  ~/.kube/config  |  in-cluster
/// </code>
/// </summary>
public static class KubeAccess
{
    public static KubeClientConnection Connect(AccessSettings s, Func<string, string?> getenv)
    {
        var (config, source) = Configure(s, getenv);
        return new KubeClientConnection(config, s.Namespace ?? "", source);
    }

    static (KubernetesClientConfiguration Config, string Source) Configure(AccessSettings s, Func<string, string?> getenv)
    {
        if (!string.IsNullOrEmpty(s.Kubeconfig))
            return (KubernetesClientConfiguration.BuildConfigFromConfigFile(s.Kubeconfig, s.Context), s.Kubeconfig);
        // kubectl merges every file of the list; KubernetesClient exposes no merge, so the first existing file serves.
        if ((getenv("KUBECONFIG") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(File.Exists) is { } listed)
            return (KubernetesClientConfiguration.BuildConfigFromConfigFile(listed, s.Context), listed);
        var home = Path.Combine(getenv("HOME") ?? "", ".kube", "config");
        if (File.Exists(home) || !KubernetesClientConfiguration.IsInCluster())
            return (KubernetesClientConfiguration.BuildConfigFromConfigFile(home, s.Context), home);
        return (KubernetesClientConfiguration.InClusterConfig(), "in-cluster service account");
    }
}
