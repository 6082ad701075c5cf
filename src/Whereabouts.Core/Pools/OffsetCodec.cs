using System.Globalization;
using System.Numerics;
using LanguageExt;

namespace Whereabouts.Core.Pools;

/// <summary>
/// IPPool allocation keys: the decimal offset of the address from the pool's network address.
/// We write non-negative 128-bit decimals. We read what upstream wrote too: it truncated offsets to 64 bits and
/// some versions stored the result as a signed int64, so "-3844666706890850303" means 2^64 − 3844666706890850303.
/// </summary>
public static class OffsetCodec
{
    static readonly BigInteger Max = (BigInteger)UInt128.MaxValue;

    public static string Format(UInt128 offset) => offset.ToString(CultureInfo.InvariantCulture);

    public static Fin<UInt128> Parse(string key)
    {
        if (key.Length == 0 || key.Length > 40 || !(key[0] == '-' ? key.Length > 1 && key[1..].All(char.IsAsciiDigit) : key.All(char.IsAsciiDigit)))
            return Fail(key, "it is not a decimal number");
        var n = BigInteger.Parse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (n < 0) return n >= long.MinValue ? (UInt128)(ulong)(long)n : Fail(key, "it is below the int64 range upstream wrote");
        return n <= Max ? (UInt128)n : Fail(key, "it exceeds 128 bits");
    }

    static Fin<UInt128> Fail(string key, string why) =>
        LanguageExt.Common.Error.New(Errors.CorruptPoolCode, $"allocation key \"{key}\" is not an offset: {why}");

    /// <summary>Upstream parses keys as int64 and skips larger ones, so offsets ≥ 2^63 are invisible to it.</summary>
    public static bool IsVisibleToUpstream(UInt128 offset) => offset < (UInt128.One << 63);
}
