using System.Collections.Immutable;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Reclaim;

/// <summary>Why an allocation is released without its DEL.</summary>
public enum ReclaimReason { PodGone, PodTerminal }

/// <summary>One allocation of one pool, as the controller first saw it (the key of its sightings).</summary>
public sealed record Held(string Pool, Allocation Allocation);

/// <summary>An allocation to release now, and why.</summary>
public sealed record Leak(PoolKey Pool, Allocation Allocation, ReclaimReason Reason);

/// <summary>
/// The sweep's verdicts: what to release now, which pods to read live before anything of theirs is released,
/// when each allocation was first seen (carried to the next sweep), and when the first allocation that waits
/// out its grace period is due (the next sweep need not wait longer than that).
/// </summary>
public sealed record LeakVerdicts(ImmutableArray<Leak> Release, ImmutableArray<string> Confirm, ImmutableDictionary<Held, DateTimeOffset> Seen)
{
    public DateTimeOffset? NextDue { get; init; }
}

/// <summary>
/// Which allocations leaked: their DEL never came. Pools keep no time, so an allocation's age is how long the
/// controller has seen it (first sighting; a restarted controller starts again, which only delays).
/// <code>
///   verdict(a) = keep                  a has no pod reference (plain CNI use: no pod to ask about)
///              | keep                  pod(a) is Live
///              | release PodTerminal   pod(a) is Terminal, confirmed by a live read
///              | release PodGone       pod(a) is Gone, confirmed by a live read, and age(a) ≥ grace
///              | confirm pod(a)        pod(a) looks Terminal, or Gone with age(a) ≥ grace, in the index only
///              | wait                  pod(a) looks Gone and age(a) &lt; grace
/// </code>
/// The grace period covers an ADD that wrote its allocation before the index heard of its pod. Release
/// is by exact allocation (container ID included), so a pod re-created with the same name, whose ADD records
/// its new sandbox, is never released by a verdict about the old one.
/// </summary>
public static class Leaks
{
    public static LeakVerdicts Decide(
        ImmutableArray<PoolSnapshot> pools, Func<string, PodFact> pod, ImmutableDictionary<Held, DateTimeOffset> seen,
        DateTimeOffset now, TimeSpan grace)
    {
        var release = ImmutableArray.CreateBuilder<Leak>();
        var confirm = new SortedSet<string>(StringComparer.Ordinal);
        var sightings = ImmutableDictionary.CreateBuilder<Held, DateTimeOffset>();
        DateTimeOffset? due = null;
        foreach (var p in pools)
        foreach (var a in p.State.Allocations)
        {
            var held = new Held(p.Key.Name, a);
            var since = seen.TryGetValue(held, out var first) ? first : now;
            sightings[held] = since;
            if (a.Owner.PodRef.Length == 0) continue;
            var fact = pod(a.Owner.PodRef);
            var old = now - since >= grace;
            switch (fact.State)
            {
                case PodState.Terminal when fact.Confirmed:
                    release.Add(new Leak(p.Key, a, ReclaimReason.PodTerminal));
                    break;
                case PodState.Gone when fact.Confirmed && old:
                    release.Add(new Leak(p.Key, a, ReclaimReason.PodGone));
                    break;
                case PodState.Terminal:
                case PodState.Gone when old:
                    confirm.Add(a.Owner.PodRef);
                    break;
                case PodState.Gone:
                    due = due is { } d && d < since + grace ? d : since + grace;
                    break;
            }
        }
        return new LeakVerdicts(release.ToImmutable(), confirm.ToImmutableArray(), sightings.ToImmutable()) { NextDue = due };
    }
}
