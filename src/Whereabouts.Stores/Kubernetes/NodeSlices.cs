namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// Upstream's "fast IPAM" (node_slice_size): the controller splits the range into slices and records in the
/// NodeSlicePool (named network_name, else the network's name) which node owns which; each node allocates
/// from its slice's IPPool, named "[network_name-]node-slice" (PoolKey.Of). This is the plugin's half only: the
/// node's name here, its slice through <see cref="KubernetesNodeSlices"/>.
/// </summary>
public static class NodeSlices
{
    /// <summary>
    /// This node's name as upstream finds it: NODENAME, else a "nodename" file beside the flat file (the
    /// installer writes one), else /etc/hostname. Null when none says.
    /// </summary>
    public static string? NodeName(Func<string, string?> getenv, Func<string, string?> readFile, string configurationPath)
    {
        if (getenv("NODENAME") is { } env && env.Trim() is { Length: > 0 } name) return name;
        var beside = configurationPath.Length > 0 ? [Path.Combine(Path.GetDirectoryName(configurationPath) ?? "/", "nodename")] : System.Array.Empty<string>();
        string[] standard = ["/etc/kubernetes/cni/net.d/whereabouts.d/nodename", "/etc/cni/net.d/whereabouts.d/nodename", "/host/etc/cni/net.d/whereabouts.d/nodename", "/etc/hostname"];
        foreach (var path in beside.Concat(standard))
            if (readFile(path) is { } text && text.Trim() is { Length: > 0 } found) return found;
        return null;
    }
}
