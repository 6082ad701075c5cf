using System.Collections.Immutable;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Kubectl.Model;

/// <summary>What becomes of one host-local address.</summary>
public enum ImportVerdict
{
    /// <summary>Free in its pool and its reservation: imported as an ADD of exactly this address would take it.</summary>
    Import,
    /// <summary>The pool already holds it for this container and interface (an earlier import): nothing to do.</summary>
    AlreadyThere,
    /// <summary>Someone else holds it, in the pool or its reservation: the import is refused.</summary>
    Conflict,
    /// <summary>In none of the --range CIDRs, or not a usable address of the one it is in: refused.</summary>
    OutsideRange,
}

public sealed record ImportItem(HostLocalEntry Entry, ImportVerdict Verdict, RangeSpec? Range, PoolKey? Pool, Owner Owner, string Detail);

/// <summary>
/// <c>import</c>'s judgement over the pools and reservations as read: each address goes to the first --range
/// that contains it, owned by its container ID and interface (and the pod from --pod-refs, else none: host-local
/// keeps no pod name, so a pod reference cannot be recovered from the cluster). Any conflict refuses the whole
/// import, before anything is written.
/// </summary>
public static class ImportPlan
{
    public static ImmutableArray<ImportItem> Decide(
        ImmutableArray<HostLocalEntry> entries, ImmutableArray<Cidr> ranges, string network,
        Func<PoolKey, PoolState> pool, ImmutableArray<ReservationEntry> reservations, ImmutableDictionary<string, string> podRefs, bool withReservations)
    {
        var reserved = reservations.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Owner, StringComparer.Ordinal);
        return entries.Select(e =>
        {
            var owner = new Owner(e.ContainerId, podRefs.TryGetValue(e.ContainerId, out var podRef) ? podRef : "", e.IfName);
            var cidr = ranges.Where(r => r.Contains(e.Address)).Select(r => (Cidr?)r).FirstOrDefault();
            if (cidr is not { } c) return new ImportItem(e, ImportVerdict.OutsideRange, null, null, owner, $"in none of {string.Join(", ", ranges)}");
            var spec = RangeSpec.Of(c);
            var key = PoolKey.Of(spec, network);
            var offset = c.OffsetOf(e.Address).IfNone(UInt128.Zero);
            if (!Allocatable.Usable(c).Match(s => s.Contains(offset), _ => false))
                return new ImportItem(e, ImportVerdict.OutsideRange, spec, key, owner, $"not a usable address of {c.Normalised}");
            var holder = pool(key).At(offset);
            if (holder is not null)
                return Ownership.ReleasedBy(holder.Owner, e.ContainerId, e.IfName)
                    ? new ImportItem(e, ImportVerdict.AlreadyThere, spec, key, owner, $"pool {key} holds it for this container")
                    : new ImportItem(e, ImportVerdict.Conflict, spec, key, owner, $"pool {key} holds it for {holder.Owner}");
            var name = ReservationKey.For(e.Address, network).Name;
            if (withReservations && reserved.TryGetValue(name, out var other) && Ownership.HeldByOther(other, owner))
                return new ImportItem(e, ImportVerdict.Conflict, spec, key, owner, $"reservation {name} is held by {other}");
            return new ImportItem(e, ImportVerdict.Import, spec, key, owner, $"into pool {key}");
        }).ToImmutableArray();
    }
}
