using Xunit;
using System.Text;
using System.Text.Json;
using Whereabouts.Stores;
using Whereabouts.Stores.Memory;
using static Whereabouts.Cni.Tests.PluginHarness;

namespace Whereabouts.Cni.Tests;

/// <summary>One dispatcher serving many calls, as a long-running process does: stores are opened once and reused.</summary>
public sealed class LongRunningDispatcherTests
{
    static Func<string, string?> Env(string command, string containerId) => name => name switch
    {
        "CNI_COMMAND" => command,
        "CNI_CONTAINERID" => containerId,
        "CNI_NETNS" => "/var/run/netns/" + containerId,
        "CNI_IFNAME" => "net1",
        "CNI_PATH" => "/opt/cni/bin",
        _ => null,
    };

    [Fact]
    public async Task ManyCallsShareOneOpenedStoreAndGetDistinctAddresses()
    {
        var opened = 0;
        var store = new InMemoryPoolStore();
        await using (var stores = new StoreCache((_, _) => { opened++; return store; }))
        {
            var dispatcher = new CniDispatcher(stores, _ => null, TextWriter.Null, TimeProvider.System, Random.Shared.NextDouble);
            var stdin = Encoding.UTF8.GetBytes(Conf("1.0.0", BlogIpam));
            var replies = new List<CniReply>();
            for (var i = 0; i < 5; i++)
                replies.Add(await dispatcher.Serve(new CniCall(Env("ADD", $"c{i}"), () => stdin), CancellationToken.None));
            var released = await dispatcher.Serve(new CniCall(Env("DEL", "c0"), () => stdin), CancellationToken.None);
            var again = await dispatcher.Serve(new CniCall(Env("ADD", "c5"), () => stdin), CancellationToken.None);

            Assert.All(replies, r => Assert.Equal(0, r.ExitCode));
            Assert.Equal((0, ""), (released.ExitCode, released.Stdout));
            var addresses = replies.Select(r => JsonDocument.Parse(r.Stdout).RootElement.GetProperty("ips")[0].GetProperty("address").GetString()).ToList();
            Assert.Equal(addresses.Count, addresses.Distinct().Count());
            // c0's address was released by DEL and is the lowest free one again.
            Assert.Equal(addresses[0], JsonDocument.Parse(again.Stdout).RootElement.GetProperty("ips")[0].GetProperty("address").GetString());
        }
        Assert.Equal(1, opened);
    }

    [Fact]
    public async Task AStoreThatFailsToOpenIsNotKeptSoTheNextCallTriesAgain()
    {
        var attempts = 0;
        await using var stores = new StoreCache((_, _) => ++attempts == 1 ? throw new StoreUnavailableException("refused", transient: true) : new InMemoryPoolStore());
        var dispatcher = new CniDispatcher(stores, _ => null, TextWriter.Null, TimeProvider.System, Random.Shared.NextDouble);
        var stdin = Encoding.UTF8.GetBytes(Conf("1.0.0", BlogIpam));
        var first = await dispatcher.Serve(new CniCall(Env("ADD", "c1"), () => stdin), CancellationToken.None);
        var second = await dispatcher.Serve(new CniCall(Env("ADD", "c1"), () => stdin), CancellationToken.None);
        Assert.Equal((1, 0), (first.ExitCode, second.ExitCode));
        Assert.Equal(2, attempts);
    }
}
