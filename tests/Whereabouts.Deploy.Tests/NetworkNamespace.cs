namespace Whereabouts.Deploy.Tests;

/// <summary>
/// A network namespace of the test's own with a veth pair in it, both ends up: one end is macvlan's master
/// (the machines have no dummy link type). Everything CNI creates stays inside; deleting the namespace
/// removes it all.
/// </summary>
sealed class NetworkNamespace : IAsyncDisposable
{
    public string Name { get; } = $"wbctd{Environment.ProcessId % 100000}";
    public const string Master = "wbm0";

    public static async Task<NetworkNamespace> Create()
    {
        var ns = new NetworkNamespace();
        await Run.Command("ip", "netns", "delete", ns.Name); // a leftover of a killed run
        (await Run.Command("ip", "netns", "add", ns.Name)).OrFail("ip netns add");
        (await Run.Command("ip", "-n", ns.Name, "link", "add", Master, "type", "veth", "peer", "name", "wbm1")).OrFail("veth");
        foreach (var link in new[] { "lo", Master, "wbm1" })
            (await Run.Command("ip", "-n", ns.Name, "link", "set", link, "up")).OrFail("link up");
        return ns;
    }

    public async ValueTask DisposeAsync() => await Run.Command("ip", "netns", "delete", Name);
}
