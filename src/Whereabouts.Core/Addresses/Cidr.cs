using LanguageExt;

namespace Whereabouts.Core.Addresses;

/// <summary>
/// An address with a prefix length. It may carry host bits (<c>192.168.2.227/28</c>): <see cref="Network"/> is
/// the masked network, as upstream ignores host bits in <c>range</c>. Offsets count from the network address:
/// <code>
///   192.168.2.224/28:  .224  .225  .226 ... .238  .239
///   offset:              0     1     2  ...   14    15
///                     network  ^first usable   ^last usable  broadcast
/// </code>
/// </summary>
public readonly record struct Cidr(Address Address, int Prefix)
{
    public IpFamily Family => Address.Family;

    /// <summary>Number of host bits: 0 for /32 and /128, 128 for ::/0.</summary>
    public int HostBits => Family.Bits() - Prefix;

    /// <summary>All-ones over the host bits. Spelled out because <c>UInt128 &lt;&lt; 128</c> is a no-op, not zero.</summary>
    public UInt128 HostMask => HostBits == 128 ? UInt128.MaxValue : (UInt128.One << HostBits) - 1;

    /// <summary>Largest offset in the network (the broadcast/all-ones address).</summary>
    public UInt128 LastOffset => HostMask;

    public Address Network => new(Family, Address.Value & ~HostMask & Family.MaxValue());

    /// <summary>The same prefix with host bits cleared.</summary>
    public Cidr Normalised => new(Network, Prefix);

    public bool Contains(Address a) => a.Family == Family && (a.Value & ~HostMask) == Network.Value;

    public bool Overlaps(Cidr other) =>
        other.Family == Family && (Contains(other.Network) || other.Contains(Network));

    /// <summary>Offset of <paramref name="a"/> from the network address; None when outside.</summary>
    public Option<UInt128> OffsetOf(Address a) => Contains(a) ? a.Value - Network.Value : Option<UInt128>.None;

    public Address AddressAt(UInt128 offset) => new(Family, Network.Value + (offset & HostMask));

    public static Fin<Cidr> Parse(string? text) => CidrParser.Parse(text);

    public override string ToString() => $"{Address}/{Prefix}";
}
