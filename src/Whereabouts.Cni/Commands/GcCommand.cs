using LanguageExt;
using Whereabouts.Core.Engine;

namespace Whereabouts.Cni.Commands;

/// <summary>GC: release every allocation of this network whose attachment the runtime no longer lists.</summary>
public static class GcCommand
{
    public static async Task<Fin<string>> Run(Invocation inv, CancellationToken ct)
    {
        var request = new GcRequest(inv.Network.ValidAttachments, inv.Scope);
        var outcome = await inv.Retry.Run(inv.Scope.PoolKeys, (pools, _) => Fin<Plan>.Succ(Releaser.Collect(request, pools)), ct);
        if (outcome.Case is not Outcome.Released released) return outcome.Map(_ => "");
        if (!released.Addresses.IsEmpty) inv.Log.Verbose($"GC released {string.Join(", ", released.Addresses)}");
        // Orphaned reservations go by the same rule as allocations; the ownership predicate is the GC rule's
        // "this node may release it" (everything, until that rule lands).
        var orphans = await Orphans.AfterGc(inv, request, _ => true, ct);
        return orphans.Map(a =>
        {
            if (!a.IsEmpty) inv.Log.Verbose($"GC deleted orphaned reservations of {string.Join(", ", a)}");
            return "";
        });
    }
}
