using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Pools;

/// <summary>
/// The name of an OverlappingRangeIPReservation: the address with ':' replaced by '-' (a trailing ':' first
/// gets a '0'), prefixed "&lt;network_name&gt;-" when one is set. It keeps one address unique across every
/// range of a network that contains it.
/// <example>10.0.0.5 → "10.0.0.5"; fd00::5 → "fd00--5"; fd00:: → "fd00--0".</example>
/// </summary>
public sealed record ReservationKey(string Name, Address Address)
{
    public static ReservationKey For(Address address, string networkName)
    {
        var text = address.ToString();
        if (text.EndsWith(':')) text += "0";
        text = text.Replace(':', '-');
        return new ReservationKey(networkName.Length > 0 ? $"{networkName}-{text}" : text, address);
    }

    public override string ToString() => Name;
}
