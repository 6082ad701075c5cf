using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using LanguageExt;
using Whereabouts.Core.Ranges;
using Whereabouts.Core.Slices;

namespace Whereabouts.Core.Config;

/// <summary>A range a NetworkAttachmentDefinition configures, with the network_name its pool is named after.</summary>
public sealed record ConfiguredRange(string NetworkName, RangeSpec Range);

/// <summary>
/// The ranges a NAD's spec.config (a conf, or a conflist whose plugins carry the IPAM) gives its whereabouts
/// IPAM: "range" and each "ipRanges" entry, read by the plugin's own range parser, so range_start, range_end
/// and exclude mean what they mean to the plugin. Ranges that do not parse are left out (the plugin refuses
/// them); so are node-slice configurations, whose pools are the nodes' slices; a range the flat file supplies
/// is not in the NAD and is not seen.
/// </summary>
public static class NadRanges
{
    public static ImmutableArray<ConfiguredRange> Read(string config)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(config); }
        catch (JsonException) { return []; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return [];
            var found = ImmutableArray.CreateBuilder<ConfiguredRange>();
            foreach (var ipam in NadSlicing.IpamObjects(doc.RootElement).Where(NadSlicing.IsWhereabouts))
            {
                if (IpamReader.Read(Encoding.UTF8.GetBytes(ipam.GetRawText())).Case is not IpamDto dto || !string.IsNullOrWhiteSpace(dto.NodeSliceSize)) continue;
                var problems = new Problems();
                var ranges = new List<Option<RangeSpec>>();
                if (!string.IsNullOrWhiteSpace(dto.Range)) ranges.Add(RangeParser.Parse(problems, "", dto.Range, dto.RangeStart, dto.RangeEnd, dto.Exclude));
                foreach (var (r, i) in (dto.IpRanges ?? []).Select((r, i) => (r, i)))
                    ranges.Add(RangeParser.Parse(problems, $"ipRanges[{i}].", r.Range, r.RangeStart, r.RangeEnd, r.Exclude));
                foreach (var spec in ranges.SelectMany(o => o.AsEnumerable())) found.Add(new ConfiguredRange(dto.NetworkName ?? "", spec));
            }
            return found.ToImmutable();
        }
    }
}
