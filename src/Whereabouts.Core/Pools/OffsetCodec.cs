using System.Globalization;
using LanguageExt;

namespace Whereabouts.Core.Pools;

/// <summary>
/// IPPool allocation keys: the decimal offset of the address from the pool's network address.
/// We write non-negative 128-bit decimals. We read what upstream wrote too: it truncated offsets to 64 bits and
/// some versions stored the result as a signed int64, so "-3844666706890850303" means 2^64 − 3844666706890850303.
/// </summary>
public static class OffsetCodec
{

    public static string Format(UInt128 offset) => offset.ToString(CultureInfo.InvariantCulture);

    public static Fin<UInt128> Parse(string key)
    {
        // 2^128 has 39 digits: anything much longer is not a key we or upstream wrote.
        if (key.Length > 40) return Fail(key, "it is longer than any 128-bit decimal");
        if (key.StartsWith('-'))
            return long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed)
                ? (UInt128)(ulong)signed
                : Fail(key, "it is not a decimal number in the int64 range upstream wrote");
        // NumberStyles.None: ASCII digits only, no sign, spaces or separators.
        return UInt128.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : Fail(key, "it is not a decimal number below 2^128");
    }

    static Fin<UInt128> Fail(string key, string why) =>
        new AllocationFailure($"allocation key \"{key}\" is not an offset: {why}", Errors.CorruptPoolCode);

    /// <summary>Upstream parses keys as int64 and skips larger ones, so offsets ≥ 2^63 are invisible to it.</summary>
    public static bool IsVisibleToUpstream(UInt128 offset) => offset < (UInt128.One << 63);
}
