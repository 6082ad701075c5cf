using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// A <c>labelSelector</c> in the apiserver's syntax: comma-separated requirements <c>k=v</c>, <c>k==v</c>,
/// <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c> (exists) and <c>!k</c> (absent), all of
/// which must hold. As in apimachinery, <c>!=</c> and <c>notin</c> also match objects without the label.
/// </summary>
internal sealed record LabelSelector(IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> Requirements)
{
    public static LabelSelector Parse(string selector)
    {
        var requirements = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        foreach (var part in SplitTop(selector))
        {
            var words = part.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 2 && words[1].StartsWith("in", StringComparison.Ordinal) | words[1].StartsWith("notin", StringComparison.Ordinal))
            {
                var negate = words[1].StartsWith("notin", StringComparison.Ordinal);
                var list = words[1][(negate ? 5 : 2)..].Trim();
                if (!list.StartsWith('(') || !list.EndsWith(')')) throw Invalid(selector, part);
                var values = list[1..^1].Split(',', StringSplitOptions.TrimEntries).ToHashSet();
                var key = words[0];
                requirements.Add(negate
                    ? labels => !labels.TryGetValue(key, out var v) || !values.Contains(v)
                    : labels => labels.TryGetValue(key, out var v) && values.Contains(v));
            }
            else if (part.IndexOf("!=", StringComparison.Ordinal) is var ne and >= 0)
            {
                var (key, value) = (part[..ne].Trim(), part[(ne + 2)..].Trim());
                requirements.Add(labels => !labels.TryGetValue(key, out var v) || v != value);
            }
            else if (part.IndexOf('=') is var eq and >= 0)
            {
                var key = part[..eq].Trim();
                var value = part[(eq + (part.AsSpan(eq).StartsWith("==") ? 2 : 1))..].Trim();
                requirements.Add(labels => labels.TryGetValue(key, out var v) && v == value);
            }
            else if (part.StartsWith('!'))
            {
                var key = part[1..].Trim();
                requirements.Add(labels => !labels.ContainsKey(key));
            }
            else if (!part.Contains(' '))
            {
                requirements.Add(labels => labels.ContainsKey(part));
            }
            else throw Invalid(selector, part);
        }
        return new LabelSelector(requirements);
    }

    public bool Matches(JsonObject obj)
    {
        if (Requirements.Count == 0) return true;
        var labels = new Dictionary<string, string>();
        if (obj["metadata"]?["labels"] is JsonObject l)
            foreach (var (k, v) in l)
                if (v is JsonValue value && value.TryGetValue<string>(out var s)) labels[k] = s;
        return Requirements.All(q => q(labels));
    }

    /// <summary>Splits on the commas that separate requirements, not those inside an in/notin list.</summary>
    private static IEnumerable<string> SplitTop(string selector)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= selector.Length; i++)
        {
            if (i < selector.Length && selector[i] == '(') depth++;
            else if (i < selector.Length && selector[i] == ')') depth--;
            else if (i == selector.Length || (selector[i] == ',' && depth == 0))
            {
                var part = selector[start..i].Trim();
                if (part.Length > 0) yield return part;
                start = i + 1;
            }
        }
    }

    private static ApiError Invalid(string selector, string part) =>
        ApiError.BadRequest($"unable to parse requirement: invalid label selector '{selector}': '{part}'");
}
