using System.Net;
using LanguageExt;
using LanguageExt.Common;

namespace Whereabouts.Core.Addresses;

/// <summary>
/// Strict address parsing. <see cref="IPAddress.Parse(string)"/> accepts legacy IPv4 forms ("10.1", "010.0.0.1"
/// as octal, "0x0A.0.0.1") and scoped IPv6 ("fe80::1%eth0"); upstream reads leading zeros, any number of them, as
/// decimal ("00192.00168.1.5" is 192.168.1.5) and has no scopes. So IPv4 passes a dotted-quad gate of our own first, and IPv6 with a scope is refused.
/// </summary>
public static class AddressParser
{
    /// <summary>
    /// A requested address, "10.9.0.5" or "10.9.0.5/24" (runtimeConfig ips, CNI_ARGS IP): the address, after
    /// checking that any prefix is one of its family; the range's own prefix applies.
    /// </summary>
    public static Fin<Address> ParseWithOptionalPrefix(string text) =>
        text.Contains('/') ? CidrParser.Parse(text).Map(c => c.Address) : Parse(text);

    public static Fin<Address> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Invalid(text ?? "", "it is empty");
        var s = text.Trim();
        if (s.Contains(':')) return ParseV6(s);
        return ParseDottedQuad(s);
    }

    static Fin<Address> ParseV6(string s)
    {
        if (s.Contains('%')) return Invalid(s, "scoped IPv6 addresses (with %zone) are not allowed");
        if (!IPAddress.TryParse(s, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return Invalid(s, "it is not an IPv6 address");
        return Address.FromIPAddress(ip);
    }

    static Fin<Address> ParseDottedQuad(string s)
    {
        var parts = s.Split('.');
        if (parts.Length != 4) return Invalid(s, "IPv4 addresses must have four dotted decimal parts");
        uint value = 0;
        foreach (var part in parts)
        {
            if (part.Length == 0 || !part.All(char.IsAsciiDigit))
                return Invalid(s, "each IPv4 part must be a decimal number");
            // Any number of leading zeros, read as decimal (upstream's parse: 00192 is 192, never octal).
            var digits = part.TrimStart('0');
            if (digits.Length > 3) return Invalid(s, "each IPv4 part must be at most 255");
            var octet = digits.Length == 0 ? 0 : uint.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
            if (octet > 255) return Invalid(s, "each IPv4 part must be at most 255");
            value = (value << 8) | octet;
        }
        return new Address(IpFamily.V4, value);
    }

    static Fin<Address> Invalid(string s, string why) =>
        Errors.InvalidConfig($"\"{s}\" is not a valid IP address: {why}");
}
