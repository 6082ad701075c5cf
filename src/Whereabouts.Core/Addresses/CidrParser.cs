using System.Globalization;
using LanguageExt;

namespace Whereabouts.Core.Addresses;

/// <summary>
/// Parses "address/prefix" keeping host bits. Written here rather than with <see cref="System.Net.IPNetwork"/>
/// because that type's treatment of host bits changed between .NET 8 (rejects) and .NET 10 (clears); we need
/// the address exactly as written and our strict address gate.
/// </summary>
public static class CidrParser
{
    public static Fin<Cidr> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Errors.InvalidConfig("CIDR is empty; write it as address/prefix, e.g. 192.168.2.0/24");
        var s = text.Trim();
        var slash = s.IndexOf('/');
        if (slash < 0) return Errors.InvalidConfig($"\"{s}\" is not a CIDR: the /prefix is missing (e.g. 192.168.2.0/24)");
        var prefixText = s[(slash + 1)..];
        return from address in AddressParser.Parse(s[..slash])
               from prefix in ParsePrefix(s, prefixText, address.Family)
               select new Cidr(address, prefix);
    }

    static Fin<int> ParsePrefix(string whole, string text, IpFamily family)
    {
        var max = family.Bits();
        if (text.Length is 0 or > 3 || !text.All(char.IsAsciiDigit))
            return Errors.InvalidConfig($"\"{whole}\" has an invalid prefix length \"{text}\": use a number from 0 to {max}");
        var prefix = int.Parse(text, CultureInfo.InvariantCulture);
        if (prefix > max)
            return Errors.InvalidConfig($"\"{whole}\" has prefix /{prefix}, longer than the {max} bits of an {(family == IpFamily.V4 ? "IPv4" : "IPv6")} address");
        return prefix;
    }
}
