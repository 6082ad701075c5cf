using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Cni.Commands;

/// <summary>ADD: allocate one address per range for this pod interface and print the result.</summary>
public static class AddCommand
{
    public static async Task<Fin<string>> Run(Invocation inv, CancellationToken ct)
    {
        var owner = new Owner(inv.Request.ContainerId, inv.Request.Args.PodRef, inv.Request.IfName);
        var request = new AddRequest(owner, inv.Scope, inv.Request.Requested);
        var outcome = await inv.Retry.Run(inv.Scope.PoolKeys, (pools, known) => Allocator.Decide(request, pools, known), ct);
        return outcome.Map(o =>
        {
            var leases = o is Outcome.Allocated a ? a.Leases : ImmutableArray<Lease>.Empty;
            inv.Log.Verbose($"ADD {owner}: {string.Join(", ", leases)}");
            return ResultRenderer.Render(inv.Request.Version, leases, inv.Ipam);
        });
    }
}
