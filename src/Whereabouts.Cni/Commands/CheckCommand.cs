using System.Collections.Immutable;
using Whereabouts.Core;
using System.Text.Json.Nodes;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;

namespace Whereabouts.Cni.Commands;

/// <summary>CHECK: the allocation exists in every range and matches the previous result.</summary>
public static class CheckCommand
{
    public static async Task<Fin<string>> Run(Invocation inv, CancellationToken ct)
    {
        var previous = PreviousAddresses(inv.Network.PrevResult);
        if (previous.Case is not ImmutableArray<Address> addresses) return previous.Map(_ => "");
        var pools = (await Task.WhenAll(inv.Scope.PoolKeys.Map(k => inv.Store.LoadPool(k, ct)).ToArray())).ToImmutableArray();
        var request = new CheckRequest(inv.Request.ContainerId, inv.Request.IfName, inv.Scope, addresses);
        return Checker.Decide(request, pools).Map(_ => "");
    }

    /// <summary>prevResult.ips[].address (1.x and 0.3/0.4 shape), or ip4/ip6.ip (0.1/0.2 shape).</summary>
    static Fin<ImmutableArray<Address>> PreviousAddresses(Option<JsonObject> prevResult) =>
        prevResult.Match(
            prev => CidrTexts(prev).TraverseAll(t => Cidr.Parse(t).Map(c => c.Address)),
            () => Fin<ImmutableArray<Address>>.Succ(ImmutableArray<Address>.Empty));

    static ImmutableArray<string> CidrTexts(JsonObject prev)
    {
        var listed = (prev["ips"] as JsonArray ?? []).OfType<JsonObject>().Select(ip => Text(ip["address"]));
        var legacy = new[] { prev["ip4"], prev["ip6"] }.OfType<JsonObject>().Select(ip => Text(ip["ip"]));
        return listed.Concat(legacy).Where(t => t.Length > 0).ToImmutableArray();
    }

    static string Text(JsonNode? n) => Core.Config.JsonText.StringOf(n) ?? "";
}
