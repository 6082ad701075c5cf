using Whereabouts.Core.Config;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>
/// What the process hosting a <see cref="CniDispatcher"/> serves, and how it runs decisions: the plugin serves
/// whatever datastore a request names, each request in its own <see cref="ConflictRetry"/> loop; the node
/// agent serves the one datastore it was started for, through its group commit.
/// </summary>
public sealed record Hosting(Func<DatastoreSettings, bool> Serves, Func<IPoolStore, ConflictRetry, RetryDeadline, IDecisionRunner> Runner)
{
    public static readonly Hosting Plugin = new(_ => true, (_, retry, _) => retry);
}
