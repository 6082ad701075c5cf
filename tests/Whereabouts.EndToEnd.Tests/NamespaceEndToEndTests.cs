using System.Diagnostics;
using Xunit;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// Debian's macvlan and bridge plugins delegate IPAM to our binary for two pods in network namespaces made
/// for the test (scripts/e2e-netns.sh): the seed's config gives .225/28 and .226/28, the pods ping each
/// other, and DEL frees both addresses. Needs root and containernetworking-plugins (test.sh installs them).
/// </summary>
public sealed class NamespaceEndToEndTests : IDisposable
{
    readonly TempDir store = new();

    public void Dispose() => store.Dispose();

    /// <summary>Runs scripts/e2e-netns.sh and parses its "key value" summary lines.</summary>
    internal static async Task<(int Code, Dictionary<string, string> Summary, string Log)> RunScript(string plugin, string ipam)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(PluginBinary.RepoRoot, "scripts", "e2e-netns.sh"), plugin, PluginBinary.Path, ipam])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["WHEREABOUTS_FLAT_FILE"] = PluginBinary.AdminAllowingEverything; // the store is in a temporary directory
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var summary = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        return (p.ExitCode, summary, await stderr);
    }

    [Theory]
    [InlineData("macvlan")]
    [InlineData("bridge")]
    public async Task TwoPodsThroughARealMainPluginGetTheBlogAddressesAndPingEachOther(string plugin)
    {
        var (code, summary, log) = await RunScript(plugin, PluginBinary.FileIpam(store.Path));
        Assert.True(code == 0, $"e2e-netns.sh {plugin} exited {code}:\n{log}");
        Assert.Equal("192.168.2.225/28", summary["pod1"]);
        Assert.Equal("192.168.2.226/28", summary["pod2"]);
        Assert.Equal("ok", summary["ping"]);
        Assert.Equal("ok", summary["del"]);
        Assert.Empty(StoredPools.Allocations(store.Path, "192.168.2.224-28"));
        Assert.Empty(StoredPools.ReservationNames(store.Path));
    }
}
