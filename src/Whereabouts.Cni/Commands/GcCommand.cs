using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;

namespace Whereabouts.Cni.Commands;

/// <summary>
/// GC: release every allocation of this network that this node owns and whose attachment the runtime no
/// longer lists (docs/architecture.md, "CNI GC"). A missing or malformed list is an error, releasing nothing.
/// </summary>
public static class GcCommand
{
    public static async Task<Fin<string>> Run(Invocation inv, CancellationToken ct)
    {
        if (inv.Request.ValidAttachments.Case is not ImmutableArray<Attachment> valid) return inv.Request.ValidAttachments.Map(_ => "");
        var ownership = await GcFacts.Gather(inv, valid, ct);
        if (ownership is GcOwnership.Unknown unknown) inv.Log.Verbose($"GC releases nothing: {unknown.Why}");
        var request = new GcRequest(valid, inv.Scope, ownership);
        var outcome = await inv.Retry.Run(inv.Scope.PoolKeys, (pools, _) => Fin<Plan>.Succ(Releaser.Collect(request, pools)), ct);
        if (outcome.Case is not Outcome.Released released) return outcome.Map(_ => "");
        if (!released.Addresses.IsEmpty) inv.Log.Verbose($"GC released {string.Join(", ", released.Addresses)}");
        // Orphaned reservations go by the same rule as allocations: only an owner this node can show is its
        // own (on the kubernetes store, a pod already looked up for an unlisted allocation) is deleted.
        var orphans = await Orphans.AfterGc(inv, request, request.Ownership.Owns, ct);
        return orphans.Map(a =>
        {
            if (!a.IsEmpty) inv.Log.Verbose($"GC deleted orphaned reservations of {string.Join(", ", a)}");
            return "";
        });
    }
}
