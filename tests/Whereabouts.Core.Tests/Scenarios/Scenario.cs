using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using LanguageExt;
using LanguageExt.Common;
using Newtonsoft.Json.Linq;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Tests.Engine;

namespace Whereabouts.Core.Tests.Scenarios;

/// <summary>
/// The plugin's ADD and DEL end to end, minus the process: stdin → config → decide → in-memory store →
/// rendered CNI output. Everything it returns for a snapshot is a plain projection (strings, lists,
/// JSON tokens in the order the plugin writes them), never a LanguageExt value.
/// </summary>
public sealed class Scenario
{
    /// <summary>What the installer's flat file supplies on a real node.</summary>
    public const string FlatFile = """{"datastore": "kubernetes", "kubernetes": {"kubeconfig": "/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig"}}""";

    public Scenario(string stdin)
    {
        Network = ConfigParser.ParseNetwork(stdin).ThrowIfFail();
        var flat = IpamReader.Read(System.Text.Encoding.UTF8.GetBytes(FlatFile)).ThrowIfFail();
        Settings = ConfigParser.ParseIpam(Whereabouts.Core.Config.FlatFile.Merge(Network.Ipam, flat)).ThrowIfFail();
        Scope = new NetworkScope(Settings.Ranges, Settings.NetworkName, Settings.OverlappingRanges);
    }

    public NetworkConfig Network { get; }
    public IpamSettings Settings { get; }
    public NetworkScope Scope { get; }
    public InMemoryStore Store { get; } = new();

    /// <summary>ADD for pod <paramref name="pod"/> on net1: the rendered result, or the rendered CNI error.</summary>
    public JToken Add(string pod, string containerId, params string[] requested)
    {
        var owner = new Owner(containerId, pod, "net1");
        var known = Store.AllReservations();
        var decided = Allocator.Decide(new AddRequest(owner, Scope, requested.Select(r => Address.Parse(r).ThrowIfFail()).ToImmutableArray()), Store.Load(Scope), known);
        return decided.Match(
            Succ: plan =>
            {
                if (!Store.Execute(plan).Applied) throw new InvalidOperationException("a sequential scenario never conflicts");
                return JToken.Parse(ResultRenderer.Render(Network.Version, Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases, Settings));
            },
            Fail: Failure);
    }

    /// <summary>DEL for (container, net1): the released addresses.</summary>
    public string[] Del(string containerId)
    {
        var plan = Releaser.Decide(new DelRequest(containerId, "net1", Scope), Store.Load(Scope));
        if (!Store.Execute(plan).Applied) throw new InvalidOperationException("a sequential scenario never conflicts");
        return Assert.IsType<Outcome.Released>(plan.Outcome).Addresses.Map(a => a.ToString()).ToArray();
    }

    public JToken Failure(Error error) => JToken.Parse(CniError.From(error).Render(Network.Version));

    /// <summary>Every pool as its stored JSON, keyed by pool name, and every reservation.</summary>
    public object Stored() => new
    {
        pools = Store.Pools.Values.Select(p => new { name = p.Key.Name, spec = JToken.Parse(Encoding.UTF8.GetString(PoolCodec.Encode(p.State))) }).ToArray(),
        reservations = Store.Reservations.Values.Select(r => new
        {
            name = r.Key.Name,
            spec = JToken.Parse(Encoding.UTF8.GetString(ReservationCodec.Encode(r.Owner))),
        }).ToArray(),
    };

    /// <summary>The configured ranges as the plugin understood them.</summary>
    public string[] Ranges() => Settings.Ranges.Map(r => r.ToString()).ToArray();
}
