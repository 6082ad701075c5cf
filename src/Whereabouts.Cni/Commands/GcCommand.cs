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
        return outcome.Map(o =>
        {
            if (o is Outcome.Released r && !r.Addresses.IsEmpty) inv.Log.Verbose($"GC released {string.Join(", ", r.Addresses)}");
            return "";
        });
    }
}
