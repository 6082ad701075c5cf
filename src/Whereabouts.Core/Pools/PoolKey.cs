using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Pools;

/// <summary>
/// The name of an IPPool, exactly as upstream spells it: the normalised CIDR with ':' and '/' replaced by '-',
/// prefixed "&lt;network_name&gt;-" when one is set.
/// <example>192.168.2.224/28 → "192.168.2.224-28"; fd00:0:0:10::/64 with network "blue" → "blue-fd00-0-0-10---64".</example>
/// </summary>
public sealed record PoolKey(string Name, Cidr Range)
{
    public static PoolKey For(Cidr range, string networkName)
    {
        var normalised = range.Normalised;
        var name = normalised.ToString().Replace(':', '-').Replace('/', '-');
        return new PoolKey(networkName.Length > 0 ? $"{networkName}-{name}" : name, normalised);
    }

    public override string ToString() => Name;
}
