using System.Text;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Stores;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Cni.Tests;

/// <summary>DEL goes on without this node's slice, and the verbose log says why; ADD refuses to.</summary>
public sealed class NodeSliceLogTests
{
    /// <summary>An in-memory store that also answers the node-slice port, always with "no slice yet".</summary>
    sealed class SlicelessStore(InMemoryPoolStore inner) : IPoolStore, INodeSlices
    {
        public Task<Fin<Cidr>> SliceOf(string poolName, string nodeName, CancellationToken ct) =>
            Task.FromResult<Fin<Cidr>>(Errors.TryAgainLater($"no allocated node slice for node {nodeName} in {poolName}"));
        public Task<PoolSnapshot> LoadPool(PoolKey key, CancellationToken ct) => inner.LoadPool(key, ct);
        public Task<Option<Owner>> LoadReservation(ReservationKey key, CancellationToken ct) => inner.LoadReservation(key, ct);
        public Task<System.Collections.Immutable.ImmutableArray<ReservationEntry>> ListReservations(string p, CancellationToken ct) => inner.ListReservations(p, ct);
        public Task<System.Collections.Immutable.ImmutableArray<PoolSnapshot>> ListPools(string p, CancellationToken ct) => inner.ListPools(p, ct);
        public Task<ApplyResult> Apply(Core.Engine.StoreOp op, CancellationToken ct) => inner.Apply(op, ct);
        public Task Ping(CancellationToken ct) => inner.Ping(ct);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("DEL", 0)]
    [InlineData("ADD", 1)]
    public async Task WithoutItsSliceDelGoesOnAndLogsWhyWhileAddFails(string verb, int exitCode)
    {
        var logFile = Path.Combine("/tmp", $"wb-slice-{Guid.NewGuid():N}.log");
        try
        {
            var conf = $$$$"""{"cniVersion":"1.0.0","name":"sliced","type":"macvlan","ipam":{"type":"whereabouts","range":"10.40.0.0/16","node_slice_size":"/24","log_level":"verbose","log_file":"{{{{logFile}}}}","kubernetes":{"kubeconfig":"/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig"}}}""";
            var env = new Dictionary<string, string>
            {
                ["CNI_COMMAND"] = verb, ["CNI_CONTAINERID"] = "c1", ["CNI_NETNS"] = "/var/run/netns/c1", ["CNI_IFNAME"] = "net1",
                ["CNI_PATH"] = "/opt/cni/bin", ["NODENAME"] = "worker-1",
            };
            var (code, stdout) = await PluginHarness.Once(k => env.GetValueOrDefault(k), conf, (_, _) => new SlicelessStore(new InMemoryPoolStore()), _ => null);
            Assert.True(code == exitCode, stdout);
            var logged = File.Exists(logFile) ? File.ReadAllText(logFile, Encoding.UTF8) : "";
            if (verb == "DEL") Assert.Contains("DEL without a node slice: no allocated node slice for node worker-1 in sliced", logged);
            else Assert.Contains("no allocated node slice for node worker-1", stdout);
        }
        finally
        {
            File.Delete(logFile);
        }
    }
}
