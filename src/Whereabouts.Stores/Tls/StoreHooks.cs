namespace Whereabouts.Stores;

/// <summary>
/// Process-wide choices a store leaves to the executable that opens it; by default a store does nothing beyond
/// its own objects.
/// </summary>
/// <param name="BeforeCustomRootHandshake">
/// Called with the CA file ("" for a CA given inline, as in a kubeconfig, or none trusted at all) once, before
/// a store that trusts only its configured roots builds its first chain. The CNI plugin, whose only TLS peer is
/// its store, passes <see cref="Tls.CustomRoots.LimitProcessTrustTo"/> there; a long-running process passes nothing.
/// </param>
public sealed record StoreHooks(Action<string>? BeforeCustomRootHandshake = null)
{
    public static readonly StoreHooks None = new();
}
