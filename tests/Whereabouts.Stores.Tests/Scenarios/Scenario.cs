using System.Collections.Immutable;
using System.Text;
using LanguageExt;
using LanguageExt.Common;
using Newtonsoft.Json.Linq;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.Memory;
using Whereabouts.Stores.Tests.Engine;
using Xunit;

namespace Whereabouts.Stores.Tests.Scenarios;

/// <summary>
/// The plugin's ADD and DEL end to end, minus the process: stdin → config → decide → the real retry loop over
/// the in-memory store → rendered CNI output. Everything it returns for a snapshot is a plain projection
/// (strings, lists, JSON tokens in the order the plugin writes them), never a LanguageExt value.
/// </summary>
public sealed class Scenario
{
    /// <summary>What the installer's flat file supplies on a real node.</summary>
    public const string FlatFile = """{"datastore": "kubernetes", "kubernetes": {"kubeconfig": "/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig"}}""";

    public Scenario(string stdin)
    {
        Network = ConfigParser.ParseNetwork(stdin).ThrowIfFail();
        var flat = IpamReader.Read(Encoding.UTF8.GetBytes(FlatFile)).ThrowIfFail();
        Settings = ConfigParser.ParseIpam(Core.Config.FlatFile.Merge(Network.Ipam, flat)).ThrowIfFail();
        Scope = new NetworkScope(Settings.Ranges, Settings.NetworkName, Settings.OverlappingRanges);
    }

    public NetworkConfig Network { get; }
    public IpamSettings Settings { get; }
    public NetworkScope Scope { get; }
    public InMemoryPoolStore Store { get; } = new();

    /// <summary>ADD for pod <paramref name="pod"/> on net1: the rendered result, or the rendered CNI error.</summary>
    public async Task<JToken> Add(string pod, string containerId, params string[] requested)
    {
        var owner = new Owner(containerId, pod, "net1");
        var request = new AddRequest(owner, Scope, requested.Select(r => Address.Parse(r).ThrowIfFail()).ToImmutableArray());
        var run = await RealShell.Add(Store, request, await Store.AllReservations());
        if (run.Decisions != 1) throw new InvalidOperationException("a sequential scenario never conflicts");
        return run.Result.Match(
            Succ: outcome => JToken.Parse(ResultRenderer.Render(Network.Version, Assert.IsType<Outcome.Allocated>(outcome).Leases, Settings)),
            Fail: Failure);
    }

    /// <summary>ADD for pods default/pod-1 to default/pod-<paramref name="count"/> (containers c1, c2, ...), one after the other.</summary>
    public async Task<JToken[]> AddPods(int count)
    {
        var results = new List<JToken>();
        for (var i = 1; i <= count; i++) results.Add(await Add($"default/pod-{i}", $"c{i}"));
        return [.. results];
    }

    /// <summary>DEL for (container, net1): the released addresses.</summary>
    public async Task<string[]> Del(string containerId)
    {
        var request = new DelRequest(containerId, "net1", Scope);
        var run = await RealShell.Decide(Store, Scope.PoolKeys, (pools, _) => Releaser.Decide(request, pools));
        if (run.Decisions != 1) throw new InvalidOperationException("a sequential scenario never conflicts");
        return Assert.IsType<Outcome.Released>(run.Result.ThrowIfFail()).Addresses.Map(a => a.ToString()).ToArray();
    }

    public JToken Failure(Error error) => JToken.Parse(CniError.From(error).Render(Network.Version));

    /// <summary>Every pool as its stored JSON, keyed by pool name, and every reservation.</summary>
    public async Task<object> Stored() => new
    {
        pools = (await Store.Pools()).Select(p => new { name = p.Key.Name, spec = JToken.Parse(Encoding.UTF8.GetString(PoolCodec.Encode(p.State))) }).ToArray(),
        reservations = (await Store.Reservations()).Select(r => new
        {
            name = r.Name,
            spec = JToken.Parse(Encoding.UTF8.GetString(ReservationCodec.Encode(r.Owner))),
        }).ToArray(),
    };

    /// <summary>The configured ranges as the plugin understood them.</summary>
    public string[] Ranges() => Settings.Ranges.Map(r => r.ToString()).ToArray();
}
