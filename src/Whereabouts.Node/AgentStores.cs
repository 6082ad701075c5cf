using System.Runtime.CompilerServices;
using Whereabouts.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Node.Kube;
using Whereabouts.Stores;
using Whereabouts.Stores.Kubernetes;

namespace Whereabouts.Node;

/// <summary>
/// The agent's stores and how requests run on them: the Kubernetes store over the agent's own connection with
/// the watched cache in front; etcd and file stores opened as the plugin opens them, on the first request that
/// names them, and then kept; each with one <see cref="GroupCommit"/> that every request about one pool goes through.
/// </summary>
public sealed class AgentStores(AgentOptions options, CachedPoolStore? kubernetes, ReservationCache? reservations, AgentMetrics metrics, Log log, TimeProvider clock) : IAsyncDisposable
{
    readonly ConditionalWeakTable<IPoolStore, GroupCommit> groups = new();

    public StoreCache Cache { get; } = new((settings, requestLog) =>
        settings is DatastoreSettings.Kubernetes && kubernetes is not null
            ? kubernetes
            : Whereabouts.Cni.Stores.Open(settings, requestLog, new StoreOptions()));

    public Hosting Hosting => new(options.Serves, (store, retry, deadline) => new Batched(GroupOf(store), retry, deadline));

    GroupCommit GroupOf(IPoolStore store) => groups.GetValue(store, s =>
    {
        var group = new GroupCommit(s, RetryPolicy.Default, clock, Random.Shared.NextDouble, log,
            steer: s == kubernetes && reservations is not null ? reservations.Steer : null);
        group.Committed += metrics.Committed;
        group.Conflicted += metrics.Conflicted;
        return group;
    });

    public ValueTask DisposeAsync() => Cache.DisposeAsync();
}
