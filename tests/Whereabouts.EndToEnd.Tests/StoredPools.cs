using System.Numerics;
using System.Text.Json.Nodes;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>Reads the file datastore's documents directly, as an operator would, to check what was persisted.</summary>
public static class StoredPools
{
    public sealed record Entry(BigInteger Offset, string ContainerId, string PodRef, string IfName);

    /// <summary>Every allocation of the pool; throws if a document is torn or unreadable.</summary>
    public static List<Entry> Allocations(string dir, string poolName)
    {
        var path = System.IO.Path.Combine(dir, "pools", poolName + ".json");
        if (!File.Exists(path)) return [];
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        var allocations = root["spec"]!["allocations"]!.AsObject();
        return allocations.Select(kv => new Entry(BigInteger.Parse(kv.Key), (string)kv.Value!["id"]!, (string)kv.Value!["podref"]!, (string?)kv.Value!["ifname"] ?? "")).ToList();
    }

    public static List<string> ReservationNames(string dir) =>
        Directory.Exists(System.IO.Path.Combine(dir, "reservations"))
            ? Directory.GetFiles(System.IO.Path.Combine(dir, "reservations"), "*.json").Select(f => System.IO.Path.GetFileNameWithoutExtension(f)).Order().ToList()
            : [];

    public static string? ReservationPod(string dir, string name)
    {
        var path = System.IO.Path.Combine(dir, "reservations", name + ".json");
        return File.Exists(path) ? (string?)JsonNode.Parse(File.ReadAllText(path))!["spec"]!["podref"] : null;
    }
}
