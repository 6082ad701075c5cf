namespace Whereabouts.Core.Config;

/// <summary>
/// "Did you mean": the known key a misspelt one is nearest to, by optimal-string-alignment distance
/// (Levenshtein plus the swap of two neighbours, "exlcude"). Within 1 edit for keys of up to 4 characters,
/// 2 for longer ones, so that short unrelated keys of other tools are not taken for ours.
/// </summary>
public static class Typos
{
    public static string? Nearest(string key, IReadOnlyList<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            var limit = k.Length <= 4 ? 1 : 2;
            if (Math.Abs(k.Length - key.Length) > limit) continue; // also bounds the cost of huge keys
            var d = Distance(key.ToLowerInvariant(), k.ToLowerInvariant());
            if (d <= limit && d < bestDistance) (best, bestDistance) = (k, d);
        }
        return best;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
