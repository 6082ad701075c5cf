using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Engine;

namespace Whereabouts.Core.Config;

/// <summary>Parses the network configuration from stdin and the IPAM object inside it.</summary>
public static class ConfigParser
{
    public static Fin<NetworkConfig> ParseNetwork(string stdin)
    {
        JsonObject root;
        try
        {
            if (JsonNode.Parse(stdin) is not JsonObject o) return Error.New(Errors.DecodeFailureCode, "network configuration on stdin is not a JSON object");
            root = o;
        }
        catch (JsonException e)
        {
            return Error.New(Errors.DecodeFailureCode, $"network configuration on stdin is not valid JSON: {e.Message}");
        }
        return from version in CniVersion.Parse(StringAt(root, "cniVersion") ?? "")
               from ipam in root["ipam"] is JsonObject i ? Fin<JsonObject>.Succ(i) : Errors.InvalidConfig("the network configuration has no \"ipam\" object")
               from ips in RuntimeIps(root)
               select new NetworkConfig(version, StringAt(root, "name") ?? "", ipam, ips,
                   root["prevResult"] is JsonObject prev ? prev : Option<JsonObject>.None,
                   ValidAttachments(root));
    }

    /// <summary>Reads an IPAM object (already merged with the flat file) and validates it.</summary>
    public static Fin<IpamSettings> ParseIpam(JsonObject ipam) =>
        IpamReader.Read(ipam).Bind(IpamValidation.Validate);

    /// <summary>runtimeConfig.ips (the "ips" capability): addresses, optionally with a prefix that is ignored.</summary>
    static Fin<ImmutableArray<Address>> RuntimeIps(JsonObject root) =>
        Elements(root["runtimeConfig"]?["ips"], n => JsonText.StringOf(n) ?? "")
            .TraverseAll(s => AddressParser.Parse(s.Split('/')[0]).Match(Succ: a => Fin<Address>.Succ(a), Fail: e => Errors.InvalidConfig($"runtimeConfig.ips: {e.Message}")));

    /// <summary>cni.dev/valid-attachments, which the runtime passes with GC.</summary>
    static ImmutableArray<Attachment> ValidAttachments(JsonObject root) =>
        Elements(root["cni.dev/valid-attachments"], n => n is JsonObject a ? new Attachment(StringAt(a, "containerID") ?? "", StringAt(a, "ifname") ?? "") : null)
            .Filter(a => a is not null)!;

    // A loop, not LINQ over JsonArray: see JsonText on generic virtual calls under Native AOT.
    static ImmutableArray<T> Elements<T>(JsonNode? array, Func<JsonNode?, T> read)
    {
        if (array is not JsonArray items) return [];
        var result = ImmutableArray.CreateBuilder<T>(items.Count);
        foreach (var item in items) result.Add(read(item));
        return result.MoveToImmutable();
    }

    static string? StringAt(JsonObject o, string key) => JsonText.StringOf(o[key]);
}
