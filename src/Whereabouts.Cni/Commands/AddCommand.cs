using System.Collections.Immutable;
using Whereabouts.Core;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Cni.Commands;

/// <summary>ADD: allocate one address per range for this pod interface and print the result.</summary>
public static class AddCommand
{
    public static async Task<Fin<string>> Run(Invocation inv, CancellationToken ct)
    {
        var requested = RequestedFromArgs(inv.Request.Args.Get("IP"));
        if (requested.Case is not ImmutableArray<Address> fromArgs) return requested.Map(_ => "");
        var owner = new Owner(inv.Request.ContainerId, inv.Request.Args.PodRef, inv.Request.IfName);
        var request = new AddRequest(owner, inv.Scope, inv.Network.RuntimeIps.AddRange(fromArgs));
        var outcome = await inv.Retry.Run(inv.Scope.PoolKeys, (pools, known) => Allocator.Decide(request, pools, known), ct);
        return outcome.Map(o =>
        {
            var leases = o is Outcome.Allocated a ? a.Leases : ImmutableArray<Lease>.Empty;
            inv.Log.Verbose($"ADD {owner}: {string.Join(", ", leases)}");
            return ResultRenderer.Render(inv.Network.Version, leases, WithGatewayFromArgs(inv.Ipam, inv.Request.Args.Get("GATEWAY")));
        });
    }

    /// <summary>CNI_ARGS IP=: comma-separated addresses, each optionally with a prefix (ignored: the range's applies).</summary>
    static Fin<ImmutableArray<Address>> RequestedFromArgs(string ips) =>
        ips.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray()
            .TraverseAll(ip => AddressParser.Parse(ip.Split('/')[0]));

    /// <summary>CNI_ARGS GATEWAY= overrides the configured gateway.</summary>
    static IpamSettings WithGatewayFromArgs(IpamSettings ipam, string gateway) =>
        gateway.Length == 0 ? ipam : AddressParser.Parse(gateway).Match(g => ipam with { Gateway = g }, _ => ipam);
}
