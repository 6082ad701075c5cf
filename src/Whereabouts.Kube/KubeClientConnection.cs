using k8s;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Kube;

/// <summary>
/// A process's one connection to the API server, set up by KubernetesClient: in-cluster service-account
/// config or a kubeconfig (with its exec plugins, token files and rotation), its TLS, HTTP/2. The watch
/// uses <see cref="Client"/>; the pool store sends its own requests through the same handler, authenticated
/// by the same credentials (<see cref="Connection"/>), so both share one warm connection.
/// </summary>
public sealed class KubeClientConnection : IDisposable
{
    readonly Capture capture = new();
    readonly k8s.Authentication.ServiceClientCredentials? credentials;

    public k8s.Kubernetes Client { get; }
    public string Namespace { get; }
    public KubeConnection Connection { get; }

    /// <param name="inCluster">The pod's service account; otherwise the kubeconfig at <paramref name="kubeconfig"/>.</param>
    /// <param name="ns">Where the whereabouts objects live; "" for the kubeconfig context's, else kube-system.</param>
    public KubeClientConnection(bool inCluster, string kubeconfig, string ns)
        : this(inCluster ? KubernetesClientConfiguration.InClusterConfig() : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig),
            ns, inCluster ? "in-cluster service account" : kubeconfig) { }

    /// <summary>Over a configuration the caller built (kubectl-whereabouts: a kubeconfig context of its choice).</summary>
    /// <param name="source">What to call it in messages.</param>
    public KubeClientConnection(KubernetesClientConfiguration config, string ns, string source)
    {
        Namespace = ns.Length > 0 ? ns
            : config.Namespace is { Length: > 0 } fromConfig ? fromConfig : Kubeconfig.DefaultNamespace;
        credentials = k8s.Kubernetes.CreateCredentials(config);
        // The capturing handler sits first in the client's pipeline: its inner handler is the client's own
        // (TLS, client certificates, HTTP/2), which the store's requests then go through as well.
        Client = new k8s.Kubernetes(config, capture);
        Connection = new KubeConnection(new Uri(config.Host), Namespace, source, Send, KubernetesPoolStore.DefaultRequestTimeout);
    }

    async Task<HttpResponseMessage> Send(HttpRequestMessage request, CancellationToken ct)
    {
        if (credentials is not null) await credentials.ProcessHttpRequestAsync(request, ct);
        return await capture.Forward(request, ct);
    }

    public void Dispose() => Client.Dispose();

    sealed class Capture : DelegatingHandler
    {
        public Task<HttpResponseMessage> Forward(HttpRequestMessage request, CancellationToken ct) => base.SendAsync(request, ct);
    }
}
