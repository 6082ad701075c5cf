namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// A connection to the API server that another library set up and authenticates (the node agent's
/// KubernetesClient: in-cluster or kubeconfig credentials, token rotation, HTTP/2): where it goes, the
/// namespace the pools live in, what to name in messages, and how to send one request.
/// </summary>
public sealed record KubeConnection(
    Uri Server,
    string Namespace,
    string Source,
    Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Send,
    TimeSpan RequestTimeout);
