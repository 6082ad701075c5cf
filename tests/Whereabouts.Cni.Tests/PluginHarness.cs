using System.Text;
using Whereabouts.Stores;
using Whereabouts.Stores.Memory;

namespace Whereabouts.Cni.Tests;

/// <summary>Runs the dispatcher in-process with a fake environment, stdin, stdout and flat files.</summary>
public sealed class PluginHarness
{
    public InMemoryPoolStore Store { get; } = new();
    public Dictionary<string, string> Files { get; } = [];

    public sealed record Run(int ExitCode, string Stdout, string Stderr);

    public async Task<Run> Invoke(string command, string stdin, string containerId = "cid-1", string ifName = "net1",
        string pod = "default/pod-1", string extraArgs = "", Dictionary<string, string>? env = null)
    {
        var (ns, name) = pod.Length == 0 ? ("", "") : (pod.Split('/')[0], pod.Split('/')[1]);
        var vars = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = containerId,
            ["CNI_NETNS"] = "/var/run/netns/test",
            ["CNI_IFNAME"] = ifName,
            ["CNI_PATH"] = "/opt/cni/bin",
            ["CNI_ARGS"] = pod.Length == 0 ? extraArgs : $"IgnoreUnknown=1;K8S_POD_NAMESPACE={ns};K8S_POD_NAME={name}{extraArgs}",
        };
        foreach (var (k, v) in env ?? []) vars[k] = v;
        var stderr = new StringWriter();
        var (code, stdout) = await Once(k => vars.TryGetValue(k, out var v) && v.Length > 0 ? v : null, stdin,
            (_, _) => new SharedStore(Store), path => Files.TryGetValue(path, out var f) ? Encoding.UTF8.GetBytes(f) : null, stderr);
        return new Run(code, stdout.Trim(), stderr.ToString());
    }

    /// <summary>One call served as the plugin executable serves it: a fresh dispatcher and store cache, closed after.</summary>
    public static async Task<(int Code, string Stdout)> Once(Func<string, string?> env, string stdin, StoreFactory open,
        Func<string, byte[]?> readFile, TextWriter? stderr = null)
    {
        await using var stores = new StoreCache(open);
        var dispatcher = new CniDispatcher(stores, readFile, stderr ?? TextWriter.Null, TimeProvider.System, Random.Shared.NextDouble);
        var reply = await dispatcher.Serve(new CniCall(env, () => Encoding.UTF8.GetBytes(stdin)), CancellationToken.None);
        return (reply.ExitCode, reply.Stdout.Length > 0 ? reply.Stdout + "\n" : "");
    }

    /// <summary>The dispatcher disposes its store; the harness keeps the data across invocations.</summary>
    sealed class SharedStore(InMemoryPoolStore inner) : IPoolStore
    {
        public Task<Core.Pools.PoolSnapshot> LoadPool(Core.Pools.PoolKey key, CancellationToken ct) => inner.LoadPool(key, ct);
        public Task<LanguageExt.Option<Core.Pools.Owner>> LoadReservation(Core.Pools.ReservationKey key, CancellationToken ct) => inner.LoadReservation(key, ct);
        public Task<System.Collections.Immutable.ImmutableArray<Core.Pools.ReservationEntry>> ListReservations(string namePrefix, CancellationToken ct) => inner.ListReservations(namePrefix, ct);
        public Task<System.Collections.Immutable.ImmutableArray<Core.Pools.PoolSnapshot>> ListPools(string namePrefix, CancellationToken ct) => inner.ListPools(namePrefix, ct);
        public Task<ApplyResult> Apply(Core.Engine.StoreOp op, CancellationToken ct) => inner.Apply(op, ct);
        public Task Ping(CancellationToken ct) => inner.Ping(ct);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public static string Conf(string cniVersion, string ipam) =>
        $$"""{"cniVersion":"{{cniVersion}}","name":"testnet","type":"macvlan","ipam":{{ipam}}}""";

    public const string BlogIpam = """{"type":"whereabouts","range":"192.168.2.225/28","datastore":"file"}""";
}
