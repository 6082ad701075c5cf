namespace Whereabouts.Core.Config;

/// <summary>
/// Key matching of Go's encoding/json, the reference CNI decoder: a JSON key matches a field name when they are
/// equal under Unicode simple case folding (bytes.EqualFold). For ASCII field names that is ASCII case-insensitive
/// equality plus two non-ASCII letters that fold to ASCII ones: U+017F (long s) ~ 's' and U+212A (Kelvin) ~ 'k'.
/// Not OrdinalIgnoreCase: that would also take U+0131 (dotless i) for 'i', which Go does not.
/// </summary>
public static class GoJsonNames
{
    /// <summary><paramref name="field"/> must be ASCII.</summary>
    public static bool Match(string key, string field)
    {
        if (key.Length != field.Length) return false;
        for (var i = 0; i < key.Length; i++)
            if (Fold(key[i]) != Fold(field[i])) return false;
        return true;
    }

    static char Fold(char c) => c switch
    {
        >= 'A' and <= 'Z' => (char)(c | 0x20),
        '\u017F' => 's',
        '\u212A' => 'k',
        _ => c,
    };
}
