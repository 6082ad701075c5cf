using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;

namespace Whereabouts.Core.Tests.Scenarios;

/// <summary>
/// A network configuration as the plugin understands it: stdin parsed, merged with the installer's flat file.
/// (The store-backed ADD/DEL scenarios are Whereabouts.Stores.Tests' Scenario.)
/// </summary>
public sealed class ScenarioConfig
{
    /// <summary>What the installer's flat file supplies on a real node.</summary>
    public const string FlatFile = """{"datastore": "kubernetes", "kubernetes": {"kubeconfig": "/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig"}}""";

    public ScenarioConfig(string stdin)
    {
        Network = ConfigParser.ParseNetwork(stdin).ThrowIfFail();
        var flat = IpamReader.Read(System.Text.Encoding.UTF8.GetBytes(FlatFile)).ThrowIfFail();
        Settings = ConfigParser.ParseIpam(Whereabouts.Core.Config.FlatFile.Merge(Network.Ipam, flat)).ThrowIfFail();
        Scope = new NetworkScope(Settings.Ranges, Settings.NetworkName, Settings.OverlappingRanges);
    }

    public NetworkConfig Network { get; }
    public IpamSettings Settings { get; }
    public NetworkScope Scope { get; }
}
