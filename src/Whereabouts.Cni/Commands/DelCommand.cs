using LanguageExt;
using Whereabouts.Core.Engine;

namespace Whereabouts.Cni.Commands;

/// <summary>DEL: release what (container ID, interface) holds in every range; nothing held is success.</summary>
public static class DelCommand
{
    public static async Task<Fin<string>> Run(Invocation inv, CancellationToken ct)
    {
        var request = new DelRequest(inv.Request.ContainerId, inv.Request.IfName, inv.Scope);
        var outcome = await inv.Retry.Run(inv.Scope.PoolKeys, (pools, _) => Releaser.Decide(request, pools), ct);
        if (outcome.Case is not Outcome.Released released) return outcome.Map(_ => "");
        inv.Log.Verbose($"DEL {inv.Request.ContainerId}/{inv.Request.IfName}: released {string.Join(", ", released.Addresses)}");
        // An ADD killed before its pool write left a reservation no pool holds: see Orphans for when we look.
        var orphans = await Orphans.AfterDel(inv, request, released.Addresses, ct);
        return orphans.Map(a =>
        {
            if (!a.IsEmpty) inv.Log.Verbose($"DEL {inv.Request.ContainerId}/{inv.Request.IfName}: deleted orphaned reservations of {string.Join(", ", a)}");
            return "";
        });
    }
}
