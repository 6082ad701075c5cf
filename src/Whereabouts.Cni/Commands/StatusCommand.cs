using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Stores;

namespace Whereabouts.Cni.Commands;

/// <summary>STATUS: succeed when the datastore answers; code 50 when it cannot be used.</summary>
public static class StatusCommand
{
    public static async Task<Fin<string>> Run(Invocation inv, CancellationToken ct)
    {
        try
        {
            await inv.Store.Ping(ct);
            return "";
        }
        catch (StoreUnavailableException e)
        {
            return Core.Errors.StoreUnavailable($"the datastore cannot be used: {e.Message}");
        }
    }
}
