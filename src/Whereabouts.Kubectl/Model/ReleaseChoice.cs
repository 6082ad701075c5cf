using System.Collections.Immutable;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Kubectl.Model;

/// <summary>
/// <c>release</c>'s judgement, before anything is written:
/// <code>
///   target     an address or a pod ("namespace/name"); a pool or range is refused (too broad to be a repair)
///   holdings   what the target holds, in the pool named by --pool if given
///   orphans    the target's reservations that no pool backs (Orphans.Backed), unless --pool narrows to one pool
///   refuse     an address held in more than one pool, unless --pool picks one
///   refuse     a pod that exists and is not terminated (Pending, Running, Unknown) still uses its addresses, unless --force
/// </code>
/// </summary>
public static class ReleaseChoice
{
    public static ReleaseDecision Decide(ClusterView view, Target target, string pool, bool force)
    {
        if (target is not (Target.OfAddress or Target.OfPod))
            return new ReleaseDecision.Refused($"{target}: release takes an address (10.0.0.5) or a pod (namespace/name)");
        var holdings = Holdings.Of(view, target).Where(h => pool.Length == 0 || h.Pool.Name == pool).ToImmutableArray();
        var orphans = pool.Length > 0 ? [] : view.Reservations.Where(r => Names(r, target) && !Orphans.Backed(view.Pools, r.Name)).ToImmutableArray();
        if (holdings.IsEmpty && orphans.IsEmpty) return new ReleaseDecision.NothingHeld();
        var pools = holdings.Select(h => h.Pool.Name).Distinct().ToList();
        if (target is Target.OfAddress && pools.Count > 1)
            return new ReleaseDecision.Refused($"{target} is held in {pools.Count} pools ({string.Join(", ", pools)}): name one with --pool");
        var running = holdings.Select(h => h.Pod).Concat(orphans.Select(r => view.Pod(r.Owner.PodRef)))
            .OfType<PodInfo>().Where(p => PodFact.StateOfPhase(p.Phase) == PodState.Live).Distinct().ToList();
        if (running.Count > 0 && !force)
            return new ReleaseDecision.Refused(string.Join("; ", running.Select(p =>
                $"pod {p.Ref} exists and is {p.Phase}{(p.Node.Length > 0 ? " on " + p.Node : "")}: it may still use its address")) +
                " (delete the pod, or pass --force to release anyway)");
        return new ReleaseDecision.Release(holdings, orphans);
    }

    /// <summary>Whether the reservation is of the target: of its address (on any reading of its name), or held by its pod.</summary>
    static bool Names(ReservationEntry r, Target target) => target switch
    {
        Target.OfAddress a => ReservationNames.Readings(r.Name).Any(x => x.Key.Address == a.Address),
        Target.OfPod p => r.Owner.PodRef == p.PodRef,
        _ => false,
    };
}
