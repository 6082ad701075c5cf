using System.Collections.Immutable;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Reclaim;

/// <summary>
/// What a reservation's name can mean when the network it belongs to is not known (the controller sees every
/// reservation, not one configuration's). A name is "[network_name-]address", the address with ':' as '-',
/// and both parts may hold '-': "blue-fd00--5" is network "blue" with fd00::5, and also, read whole, the
/// address blue:fd00::5 of the unnamed network. Each split that reads back to exactly this name is one
/// interpretation; a decision must hold for all of them.
/// </summary>
public static class ReservationNames
{
    public sealed record Reading(string Network, ReservationKey Key)
    {
        /// <summary>Whether <paramref name="pool"/> can be one of this network's: named "network-…" (any pool for the unnamed network).</summary>
        public bool MayBeBackedBy(PoolKey pool) => Network.Length == 0 || pool.Name.StartsWith(Network + "-", StringComparison.Ordinal);
    }

    public static ImmutableArray<Reading> Readings(string name) =>
        Enumerable.Range(0, name.Length).Where(i => i == 0 || name[i - 1] == '-')
            .Select(i => i == 0 ? "" : name[..(i - 1)])
            .SelectMany(network => ReservationKey.Parse(name, network).Map(k => new Reading(network, k)).AsEnumerable())
            .ToImmutableArray();
}
