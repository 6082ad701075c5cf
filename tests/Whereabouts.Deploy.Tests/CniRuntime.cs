namespace Whereabouts.Deploy.Tests;

/// <summary>
/// containerd's own CNI path, `ctr run --cni`: ctr execs the plugins from /opt/cni/bin with the first network
/// configuration in /etc/cni/net.d. ctr runs here inside the test's network namespace and a private mount
/// namespace in which the fake node's /opt/cni/bin, /etc/cni/net.d and /run/whereabouts are bound over the
/// host's, so the plugins, the flat file and the agent's socket are the ones the DaemonSet put on the fake node.
/// </summary>
sealed class CniRuntime(Containerd containerd, FakeNode node, NetworkNamespace netns)
{
    static readonly string[] NodeDirs = ["/opt/cni/bin", "/etc/cni/net.d", "/run/whereabouts"];

    /// <summary>Starts a container on the CNI network; the returned task ends when ctr does (after its CNI DEL).</summary>
    public Task<Ran> RunDetachedUntilKilled(string id, params string[] command)
    {
        foreach (var dir in NodeDirs) Directory.CreateDirectory(dir); // mount points: empty unless the host has its own
        var binds = string.Join(" && ", NodeDirs.Select(d => $"mount --bind '{node.Host(d)}' '{d}'"));
        var ctr = string.Join(' ', new[] { "exec", "ctr", "--address", containerd.Socket, "--namespace", Containerd.Namespace, "run", "--rm", "--cni", Containerd.Image, id }.Concat(command).Select(a => $"'{a}'"));
        return Run.Command("ip", ["netns", "exec", netns.Name, "unshare", "--mount", "--propagation", "private", "sh", "-c", $"{binds} && {ctr}"], TimeSpan.FromMinutes(5));
    }
}
