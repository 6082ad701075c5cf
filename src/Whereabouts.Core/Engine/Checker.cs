using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.ClassInstances;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// CHECK: every range of the network holds an address for (container ID, interface), and when the runtime
/// passes the previous result, its addresses are exactly those.
/// </summary>
public static class Checker
{
    public static Fin<Unit> Decide(CheckRequest request, ImmutableArray<PoolSnapshot> pools)
    {
        var byName = pools.Fold(Map<OrdString, string, PoolSnapshot>.Empty, (m, p) => m.AddOrUpdate(p.Key.Name, p));
        var held = ImmutableArray<Lease>.Empty;
        foreach (var range in request.Scope.Ranges)
        {
            var key = PoolKey.Of(range, request.Scope.NetworkName);
            var allocation = byName.Find(key.Name)
                .Bind(p => p.State.Allocations.Find(a => Ownership.ReleasedBy(a.Owner, request.ContainerId, request.IfName)));
            if (allocation.IsNone)
                return Errors.AllocationMissing($"container {request.ContainerId} interface {request.IfName} holds no address in range {range.Network}; the allocation was lost or released: delete and re-add the interface");
            held = held.Add(new Lease(key.Range.AddressAt(allocation.Map(a => a.Offset).IfNone(UInt128.Zero)), range.Configured));
        }
        // The previous result also lists static 'addresses'; only those inside our ranges are ours to check.
        var ours = request.PreviousAddresses.Filter(a => request.Scope.Ranges.Exists(r => r.Network.Contains(a)));
        if (ours.IsEmpty) return Unit.Default;
        var stored = held.Map(l => l.Address.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToImmutableArray();
        var previous = ours.Map(a => a.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToImmutableArray();
        return stored.SameAs(previous)
            ? Unit.Default
            : Errors.AllocationMismatch($"previous result lists {string.Join(", ", previous)} but the store holds {string.Join(", ", stored)} for container {request.ContainerId} interface {request.IfName}");
    }
}
