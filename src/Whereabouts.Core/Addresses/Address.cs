using System.Buffers.Binary;
using System.Net;
using LanguageExt;

namespace Whereabouts.Core.Addresses;

/// <summary>
/// An IP address as a family plus a 128-bit value, so IPv4 and IPv6 share one arithmetic.
/// <example><c>Address.Parse("192.168.2.225")</c> is <c>(V4, 0xC0A802E1)</c>.</example>
/// </summary>
public readonly record struct Address(IpFamily Family, UInt128 Value) : IComparable<Address>
{
    public static Fin<Address> Parse(string text) => AddressParser.Parse(text);

    public static Address FromIPAddress(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out var written);
        return written == 4
            ? new Address(IpFamily.V4, BinaryPrimitives.ReadUInt32BigEndian(bytes))
            : new Address(IpFamily.V6, BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (Family == IpFamily.V4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Value);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(bytes, Value);
        return new IPAddress(bytes);
    }

    /// <summary>This address moved by <paramref name="offset"/>; None when it leaves the family's space.</summary>
    public Option<Address> Plus(UInt128 offset) =>
        Family.MaxValue() - Value >= offset ? new Address(Family, Value + offset) : Option<Address>.None;

    public override string ToString() => ToIPAddress().ToString();

    public int CompareTo(Address other) =>
        Family != other.Family ? Family.CompareTo(other.Family) : Value.CompareTo(other.Value);
}
