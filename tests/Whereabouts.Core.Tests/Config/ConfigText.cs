using System.Text.Json.Nodes;
using LanguageExt;
using Whereabouts.Core.Config;

namespace Whereabouts.Core.Tests.Config;

/// <summary>Network configurations as the runtime writes them, and the plugin's parse path with no flat file.</summary>
public static class ConfigText
{
    /// <summary>
    /// A network configuration whose "ipam" object holds <paramref name="ipamKeys"/> (a JSON fragment of keys)
    /// after type and a kubeconfig, so the default datastore is satisfied.
    /// </summary>
    public static string Network(string ipamKeys, string cniVersion = "0.3.1") => $$"""
        {
          "cniVersion": "{{cniVersion}}",
          "name": "whereabouts-test",
          "type": "macvlan",
          "master": "eth0",
          "ipam": {
            "type": "whereabouts",
            "kubernetes": { "kubeconfig": "/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig" }{{(ipamKeys.Length > 0 ? "," : "")}}
            {{ipamKeys}}
          }
        }
        """;

    /// <summary>What the plugin does with stdin: parse the network, merge the flat file (here: none), validate.</summary>
    public static Fin<IpamSettings> Parse(string stdin, string? flatFile = null) =>
        from network in ConfigParser.ParseNetwork(stdin)
        from flat in flatFile is null ? Fin<Option<IpamDto>>.Succ(Option<IpamDto>.None) : IpamReader.Read(System.Text.Encoding.UTF8.GetBytes(flatFile)).Map(Option<IpamDto>.Some)
        from settings in ConfigParser.ParseIpam(FlatFile.Merge(network.Ipam, flat))
        select settings;
}
