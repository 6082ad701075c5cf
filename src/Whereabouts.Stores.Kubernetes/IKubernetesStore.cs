namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// A store backed by the Kubernetes API (the store itself, or a cache in front of it): what CNI GC asks
/// about pods goes to <see cref="Kubernetes"/>.
/// </summary>
public interface IKubernetesStore
{
    KubernetesPoolStore Kubernetes { get; }
}
