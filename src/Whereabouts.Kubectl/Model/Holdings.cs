using System.Collections.Immutable;

namespace Whereabouts.Kubectl.Model;

/// <summary><c>show</c>: the holdings a target names, by pool name then address.</summary>
public static class Holdings
{
    public static ImmutableArray<Holding> All(ClusterView view) =>
        view.Pools
            .SelectMany(p => p.State.Allocations.Select(a => new Holding(p.Key, p.Key.Range.AddressAt(a.Offset), a, view.Pod(a.Owner.PodRef))))
            .OrderBy(h => h.Pool.Name, StringComparer.Ordinal).ThenBy(h => h.Address)
            .ToImmutableArray();

    public static ImmutableArray<Holding> Of(ClusterView view, Target target) =>
        All(view).Where(h => Matches(h, target)).ToImmutableArray();

    public static bool Matches(Holding h, Target target) => target switch
    {
        Target.OfAddress x => h.Address == x.Address,
        Target.OfPool x => h.Pool.Name == x.Name,
        Target.OfRange x => h.Pool.Range == x.Range,
        Target.OfPod x => h.Allocation.Owner.PodRef == x.PodRef,
        Target.OfPodName x => h.Allocation.Owner.PodRef.EndsWith("/" + x.Name, StringComparison.Ordinal),
        _ => false,
    };
}
