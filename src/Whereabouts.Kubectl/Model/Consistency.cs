using System.Collections.Immutable;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Kubectl.Model;

/// <summary>
/// <c>check</c> as one pure function of what was read: pools against reservations against pods.
/// <code>
///   held twice      ∃ network n, address a: the pools of n and the reservation n-a name two pod interfaces
///   pod gone        Leaks.Decide with every pod fact live and no grace (what the controller would reclaim)
///   reservation w/o Orphans.Decide with no grace (no pool that can be its network's holds its address)
///   allocation w/o  an allocation of network n at a, not held twice, and no reservation named n-a
///   outside range   an allocation whose offset is not a usable address of its pool's CIDR, or, when NADs
///                   configure the pool's range, outside every one of them (range_start, range_end, exclude)
/// </code>
/// An offset beyond its pool's CIDR names no address of it: it is reported outside and compared with nothing else.
/// Networks with enable_overlapping_ranges off keep no reservations: <paramref name="reservations"/> false skips
/// "allocation without reservation" for them.
/// </summary>
public static class Consistency
{
    public static ImmutableArray<Finding> Check(ClusterView view, bool reservations = true)
    {
        var found = new List<Finding>();
        var held = view.Pools.Select(p => (Pool: p, PoolPlace.Of(p.Key, view.Slices).Network))
            .SelectMany(x => x.Pool.State.Allocations
                .Where(a => a.Offset <= x.Pool.Key.Range.LastOffset)
                .Select(a => (x.Pool, Allocation: a, Address: x.Pool.Key.Range.AddressAt(a.Offset), x.Network)))
            .ToList();
        var byName = view.Reservations.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Owner, StringComparer.Ordinal);

        foreach (var group in held.GroupBy(h => (h.Network, h.Address)))
        {
            var name = ReservationKey.For(group.Key.Address, group.Key.Network).Name;
            var reserved = byName.TryGetValue(name, out var owner) ? owner : null;
            var holders = group.Select(h => h.Allocation.Owner).ToList();
            var twice = holders.Any(x => holders.Any(y => Ownership.HeldByOther(x, y)))
                        || (reserved is not null && holders.Any(h => !Ownership.Holds(reserved, h)));
            if (twice)
                found.Add(new Finding(FindingKind.HeldTwice, group.Key.Address.ToString(),
                    string.Join(", ", group.Select(h => h.Pool.Key.Name).Distinct().Order(StringComparer.Ordinal)),
                    string.Join("; ", group.Select(h => $"{h.Allocation.Owner} in {h.Pool.Key.Name}").Concat(reserved is null ? [] : [$"{reserved} by reservation {name}"])),
                    "more than one pod interface holds this address"));
            else if (reserved is null && reservations)
                found.AddRange(group.Select(h => new Finding(FindingKind.AllocationWithoutReservation, group.Key.Address.ToString(), h.Pool.Key.Name,
                    h.Allocation.Owner.ToString(), $"no reservation {name}")));
        }

        var leaks = Leaks.Decide(view.Pools, podRef => Fact(view, podRef), ImmutableDictionary<Held, DateTimeOffset>.Empty, DateTimeOffset.UnixEpoch, TimeSpan.Zero);
        found.AddRange(leaks.Release.Select(l => new Finding(FindingKind.PodGone, Shown(l.Pool, l.Allocation), l.Pool.Name, l.Allocation.Owner.ToString(),
            l.Reason == ReclaimReason.PodGone ? $"pod {l.Allocation.Owner.PodRef} does not exist" : $"pod {l.Allocation.Owner.PodRef} is {view.Pod(l.Allocation.Owner.PodRef)?.Phase}")));

        var orphans = Orphans.Decide(view.Pools, view.Reservations, ImmutableDictionary<ReservationEntry, DateTimeOffset>.Empty, DateTimeOffset.UnixEpoch, TimeSpan.Zero);
        found.AddRange(orphans.Delete.Select(r => new Finding(FindingKind.ReservationWithoutAllocation,
            ReservationNames.Readings(r.Name).Select(x => x.Key.Address.ToString()).FirstOrDefault() ?? "", "", r.Owner.ToString(),
            $"no pool holds the address of reservation {r.Name}")));

        foreach (var p in view.Pools)
        {
            var usable = Allocatable.Usable(p.Key.Range).Match(s => s, _ => IntervalSet.Empty);
            var configured = view.Ranges.Where(r => PoolKey.Of(r.Configured.Range, r.Configured.NetworkName).Name == p.Key.Name)
                .Select(r => (r.Nad, r.Configured.Range, Set: Allocatable.Of(r.Configured.Range).Match(s => s, _ => IntervalSet.Empty))).ToList();
            foreach (var a in p.State.Allocations)
            {
                var why = !usable.Contains(a.Offset)
                    ? a.Offset > p.Key.Range.LastOffset ? $"offset {a.Offset} is beyond {p.Key.Range}" : $"not a usable address of {p.Key.Range}"
                    : configured.Count > 0 && !configured.Any(c => c.Set.Contains(a.Offset))
                        ? $"outside the range {string.Join(" and ", configured.Select(c => $"NAD {c.Nad} configures ({c.Range})").Distinct())}"
                        : null;
                if (why is not null) found.Add(new Finding(FindingKind.OutsideRange, Shown(p.Key, a), p.Key.Name, a.Owner.ToString(), why));
            }
        }

        return found.OrderBy(f => f.Kind).ThenBy(f => f.Pool, StringComparer.Ordinal).ThenBy(f => f.Address, StringComparer.Ordinal)
            .ThenBy(f => f.Holder, StringComparer.Ordinal).ToImmutableArray();
    }

    /// <summary>What the pods read say of a pod: every fact is live (read just now), so it may decide.</summary>
    static PodFact Fact(ClusterView view, string podRef) =>
        view.Pod(podRef) is { } pod ? new PodFact(PodFact.StateOfPhase(pod.Phase), true) : new PodFact(PodState.Gone, true);

    static string Shown(PoolKey pool, Allocation a) =>
        a.Offset <= pool.Range.LastOffset ? pool.Range.AddressAt(a.Offset).ToString() : $"{pool.Range.Network}+{a.Offset}";
}
