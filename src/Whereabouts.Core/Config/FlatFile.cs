using System.Collections.Immutable;
using System.Text.Json.Nodes;
using LanguageExt;

namespace Whereabouts.Core.Config;

/// <summary>
/// The flat file (whereabouts.conf, a bare IPAM object) merged under the inline IPAM object, as upstream's
/// mergo merge does: an inline key that is absent or zero-valued ("", 0, false, [], {}, null) takes the file's
/// value; nested objects merge key by key. enable_overlapping_ranges counts only inline.
/// </summary>
public static class FlatFile
{
    /// <summary>Where the plugin looks, in order; the first file that exists wins.</summary>
    public static ImmutableArray<string> SearchPaths(Option<string> inlinePath) =>
        inlinePath.Filter(p => p.Length > 0).ToImmutableArray().AddRange(
            "/etc/kubernetes/cni/net.d/whereabouts.d/whereabouts.conf",
            "/etc/cni/net.d/whereabouts.d/whereabouts.conf",
            "/host/etc/cni/net.d/whereabouts.d/whereabouts.conf");

    public static JsonObject Merge(JsonObject inline, Option<JsonObject> file)
    {
        var merged = (JsonObject)inline.DeepClone();
        file.IfSome(f => Fill(merged, f, topLevel: true));
        return merged;
    }

    static void Fill(JsonObject target, JsonObject source, bool topLevel)
    {
        foreach (var (key, value) in source)
        {
            if (topLevel && key == "enable_overlapping_ranges") continue;
            var mine = target[key];
            if (mine is JsonObject mineObj && value is JsonObject theirs) Fill(mineObj, theirs, topLevel: false);
            else if (IsZero(mine)) target[key] = value?.DeepClone();
        }
    }

    static bool IsZero(JsonNode? n) => JsonText.IsZero(n);
}
