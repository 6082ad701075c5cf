namespace Whereabouts.Core.Pools;

/// <summary>
/// A datastore's opaque version of an object (Kubernetes resourceVersion, etcd mod_revision, the file store's
/// counter). Writes are guarded by it: compare-and-swap is the only lock.
/// </summary>
public readonly record struct StoreVersion(string Value)
{
    public override string ToString() => Value;
}
