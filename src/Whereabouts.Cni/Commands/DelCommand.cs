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
        return outcome.Map(o =>
        {
            if (o is Outcome.Released r) inv.Log.Verbose($"DEL {inv.Request.ContainerId}/{inv.Request.IfName}: released {string.Join(", ", r.Addresses)}");
            return "";
        });
    }
}
