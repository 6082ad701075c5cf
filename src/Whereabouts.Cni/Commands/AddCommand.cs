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
        var withGateway = WithGatewayFromArgs(inv.Ipam, inv.Request.Args.Get("GATEWAY"));
        if (withGateway.Case is not IpamSettings rendered) return withGateway.Map(_ => "");
        var owner = new Owner(inv.Request.ContainerId, inv.Request.Args.PodRef, inv.Request.IfName);
        var request = new AddRequest(owner, inv.Scope, inv.Network.RuntimeIps.AddRange(fromArgs));
        var outcome = await inv.Retry.Run(inv.Scope.PoolKeys, (pools, known) => Allocator.Decide(request, pools, known), ct);
        return outcome.Map(o =>
        {
            var leases = o is Outcome.Allocated a ? a.Leases : ImmutableArray<Lease>.Empty;
            inv.Log.Verbose($"ADD {owner}: {string.Join(", ", leases)}");
            return ResultRenderer.Render(inv.Network.Version, leases, rendered);
        });
    }

    /// <summary>
    /// CNI_ARGS IP=: comma-separated addresses, each optionally with a prefix that must be valid for its
    /// family (and is then ignored: the range's applies). A bad one is code 4, as CNI_ARGS is environment.
    /// </summary>
    static Fin<ImmutableArray<Address>> RequestedFromArgs(string ips) =>
        ips.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToImmutableArray()
            .TraverseAll(ip => CniArgs.AddressWithOptionalPrefix(ip).Match(Succ: a => Fin<Address>.Succ(a), Fail: e => CniArgs.Bad("IP", e)));

    /// <summary>CNI_ARGS GATEWAY= overrides the configured gateway; one that is not an address is refused, not dropped.</summary>
    static Fin<IpamSettings> WithGatewayFromArgs(IpamSettings ipam, string gateway) =>
        gateway.Length == 0
            ? ipam
            : AddressParser.Parse(gateway).Match(g => Fin<IpamSettings>.Succ(ipam with { Gateway = g }), e => CniArgs.Bad("GATEWAY", e));
}
