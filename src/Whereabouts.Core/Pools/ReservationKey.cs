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

    /// <summary>
    /// The reservation <paramref name="name"/> is, when it is one of network <paramref name="networkName"/>'s:
    /// the inverse of <see cref="For"/> (only canonical names; "blue-10.0.0.5" is not one of the unnamed network's).
    /// </summary>
    public static LanguageExt.Option<ReservationKey> Parse(string name, string networkName)
    {
        var prefix = networkName.Length > 0 ? networkName + "-" : "";
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return LanguageExt.Option<ReservationKey>.None;
        return Address.Parse(name[prefix.Length..].Replace('-', ':')).ToOption()
            .Map(a => For(a, networkName))
            .Filter(k => k.Name == name);
    }

    public override string ToString() => Name;
}
