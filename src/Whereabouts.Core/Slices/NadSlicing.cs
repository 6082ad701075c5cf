using System.Globalization;
using System.Text;
using System.Text.Json;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Config;

namespace Whereabouts.Core.Slices;

/// <summary>
/// Reads a NAD's spec.config (a conf, or a conflist whose plugins carry the IPAM) for the slicing it asks for.
/// The IPAM object is read by <see cref="IpamReader"/> and its range by the plugin's own range parser, so the
/// controller slices exactly what the plugin will allocate in: the first range (top-level "range", else
/// ipRanges[0]), as the plugin slices only that one. The pool is named after network_name, else the network
/// name the plugin is given (the conflist's "name" for a conflist).
/// </summary>
public static class NadSlicing
{
    /// <returns>None: the NAD has no whereabouts IPAM with node_slice_size (nothing to do). Fail: it has one
    /// that cannot be sliced, and the message says why.</returns>
    public static Fin<Option<SliceWish>> Read(NadRef nad, string config)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(config); }
        catch (JsonException e) { return Errors.InvalidConfig($"NAD {nad}: spec.config is not JSON: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Errors.InvalidConfig($"NAD {nad}: spec.config is not a JSON object");
            var networkName = Text(root, "name");
            foreach (var ipam in IpamObjects(root))
            {
                // An IPAM that does not ask for slices is the plugin's to judge, whatever else is wrong with it.
                if (!IsWhereabouts(ipam) || !AsksForSlices(ipam)) continue;
                var dto = IpamReader.Read(Encoding.UTF8.GetBytes(ipam.GetRawText()));
                if (dto.Case is LanguageExt.Common.Error e) return Errors.InvalidConfig($"NAD {nad}: whereabouts IPAM: {e.Message}");
                var wish = Wish(nad, networkName, (IpamDto)dto.Case!);
                if (wish.IsFail || wish.ThrowIfFail().IsSome) return wish;
            }
            return Option<SliceWish>.None;
        }
    }

    static Fin<Option<SliceWish>> Wish(NadRef nad, string cniName, IpamDto dto)
    {
        if (string.IsNullOrWhiteSpace(dto.NodeSliceSize)) return Option<SliceWish>.None;
        var problems = new Problems();
        var size = problems.Take("node_slice_size", SliceSize(dto.NodeSliceSize));
        var first = !string.IsNullOrWhiteSpace(dto.Range)
            ? RangeParser.Parse(problems, "", dto.Range, dto.RangeStart, dto.RangeEnd, dto.Exclude)
            : dto.IpRanges is [var r0, ..]
                ? RangeParser.Parse(problems, "ipRanges[0].", r0.Range, r0.RangeStart, r0.RangeEnd, r0.Exclude)
                : Option<Ranges.RangeSpec>.None;
        if (first.IsNone && !problems.Any) problems.Add("range", "no range is configured to slice: set \"range\" or \"ipRanges\"");
        var network = dto.NetworkName ?? "";
        var poolName = network.Length > 0 ? network : cniName;
        if (poolName.Length == 0) problems.Add("network_name", "the NodeSlicePool is named after network_name or the network's \"name\", and both are empty");
        var wish = from s in size from r in first select new SliceWish(nad, poolName, network, r.Configured, s);
        wish.IfSome(w =>
        {
            if (w.SliceSize <= w.Range.Prefix || w.SliceSize > w.Range.Family.Bits())
                problems.Add("node_slice_size", $"/{w.SliceSize} does not split range {w.Range} (a /{w.Range.Prefix})");
        });
        if (problems.Any) return Errors.InvalidConfig($"NAD {nad}: node slices: {problems.ToError().Message}");
        return wish;
    }

    /// <summary>"/24" or "24", as upstream and the plugin accept.</summary>
    internal static Fin<int> SliceSize(string text)
    {
        var t = text.Trim().TrimStart('/');
        return int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 128
            ? n
            : Errors.InvalidConfig($"\"{text}\" is not a prefix length; write it as \"/24\" or \"24\"");
    }

    /// <summary>The conf's ipam, or each plugin's ipam in a conflist.</summary>
    internal static IEnumerable<JsonElement> IpamObjects(JsonElement root)
    {
        if (root.TryGetProperty("ipam", out var top) && top.ValueKind == JsonValueKind.Object) yield return top;
        if (root.TryGetProperty("plugins", out var plugins) && plugins.ValueKind == JsonValueKind.Array)
            foreach (var plugin in plugins.EnumerateArray())
                if (plugin.ValueKind == JsonValueKind.Object && plugin.TryGetProperty("ipam", out var ipam) && ipam.ValueKind == JsonValueKind.Object)
                    yield return ipam;
    }

    static bool AsksForSlices(JsonElement ipam) =>
        ipam.EnumerateObject().Any(p => GoJsonNames.Match(p.Name, "node_slice_size"));

    internal static bool IsWhereabouts(JsonElement ipam) => Text(ipam, "type") == "whereabouts";

    static string Text(JsonElement o, string key) =>
        o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
}
