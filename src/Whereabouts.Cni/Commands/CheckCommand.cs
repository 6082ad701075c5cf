using System.Collections.Immutable;
using Whereabouts.Core;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;

namespace Whereabouts.Cni.Commands;

/// <summary>CHECK: the allocation exists in every range and matches the previous result.</summary>
public static class CheckCommand
{
    public static async Task<Fin<string>> Run(Invocation inv, CancellationToken ct)
    {
        var previous = PreviousAddresses(inv.Request.PreviousAddresses);
        if (previous.Case is not ImmutableArray<Address> addresses) return previous.Map(_ => "");
        var pools = (await Task.WhenAll(inv.Scope.PoolKeys.Map(k => inv.Store.LoadPool(k, ct)).ToArray())).ToImmutableArray();
        var request = new CheckRequest(inv.Request.ContainerId, inv.Request.IfName, inv.Scope, addresses);
        return Checker.Decide(request, pools).Map(_ => "");
    }

    /// <summary>The previous result's addresses, as the parser found them (ips[].address, or ip4/ip6.ip).</summary>
    static Fin<ImmutableArray<Address>> PreviousAddresses(Option<ImmutableArray<string>> previous) =>
        previous.Match(
            texts => texts.TraverseAll(t => Cidr.Parse(t).Map(c => c.Address)),
            () => Fin<ImmutableArray<Address>>.Succ(ImmutableArray<Address>.Empty));
}
