using System.Collections.Immutable;
using System.Text.Json;
using LanguageExt;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Slices;

/// <summary>One entry of status.allocations as stored: <see cref="NodeName"/> "" marks a free slice.</summary>
public sealed record SliceEntry(string NodeName, string SliceRange)
{
    public bool IsFree => NodeName.Length == 0;
}

/// <summary>
/// A NodeSlicePool as read (upstream's shape): spec {range, sliceSize}, status {allocations}, and the
/// resourceVersion a replace must name.
/// </summary>
public sealed record NodeSlicePoolState(SliceSpec Spec, ImmutableArray<SliceEntry> Allocations, string ResourceVersion)
{
    public static Fin<NodeSlicePoolState> Read(JsonElement pool)
    {
        var name = pool.TryGetProperty("metadata", out var meta) ? Text(meta, "name") : "";
        var version = pool.TryGetProperty("metadata", out meta) ? Text(meta, "resourceVersion") : "";
        if (!pool.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object)
            return Errors.InvalidConfig($"NodeSlicePool {name} has no spec");
        var range = CidrParser.Parse(Text(spec, "range")).Match(Fin<Cidr>.Succ, e => Errors.InvalidConfig($"NodeSlicePool {name}: spec.range: {e.Message}"));
        var size = NadSlicing.SliceSize(Text(spec, "sliceSize")).Match(Fin<int>.Succ, e => Errors.InvalidConfig($"NodeSlicePool {name}: spec.sliceSize: {e.Message}"));
        var entries = ImmutableArray.CreateBuilder<SliceEntry>();
        if (pool.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
            && status.TryGetProperty("allocations", out var allocations) && allocations.ValueKind == JsonValueKind.Array)
            foreach (var a in allocations.EnumerateArray())
                entries.Add(new SliceEntry(Text(a, "nodeName"), Text(a, "sliceRange")));
        return from r in range
               from s in size
               select new NodeSlicePoolState(new SliceSpec(r.Normalised, s), entries.ToImmutable(), version);
    }

    static string Text(JsonElement o, string key) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
