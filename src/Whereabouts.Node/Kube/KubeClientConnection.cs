using k8s;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Node.Kube;

/// <summary>
/// The agent's one connection to the API server, set up by KubernetesClient: in-cluster service-account
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

    public KubeClientConnection(AgentOptions options)
    {
        var config = options.InCluster
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig);
        Namespace = options.Namespace.Length > 0 ? options.Namespace
            : config.Namespace is { Length: > 0 } ns ? ns : Kubeconfig.DefaultNamespace;
        credentials = k8s.Kubernetes.CreateCredentials(config);
        // The capturing handler sits first in the client's pipeline: its inner handler is the client's own
        // (TLS, client certificates, HTTP/2), which the store's requests then go through as well.
        Client = new k8s.Kubernetes(config, capture);
        var source = options.InCluster ? "in-cluster service account" : options.Kubeconfig;
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
