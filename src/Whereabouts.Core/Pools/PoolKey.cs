using Whereabouts.Core.Addresses;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Pools;

/// <summary>
/// The name of an IPPool, exactly as upstream spells it: the normalised CIDR with ':' and '/' replaced by '-',
/// prefixed "&lt;network_name&gt;-" when one is set.
/// <example>192.168.2.224/28 → "192.168.2.224-28"; fd00:0:0:10::/64 with network "blue" → "blue-fd00-0-0-10---64".</example>
/// In node-slice mode the pool is the node's: "[network_name-]node-slice", e.g. "blue-worker-1-10.0.1.0-24".
/// </summary>
public sealed record PoolKey(string Name, Cidr Range)
{
    public static PoolKey For(Cidr range, string networkName)
    {
        var normalised = range.Normalised;
        var name = normalised.ToString().Replace(':', '-').Replace('/', '-');
        return new PoolKey(networkName.Length > 0 ? $"{networkName}-{name}" : name, normalised);
    }

    /// <summary>The pool a range allocates in: its node's slice pool in node-slice mode.</summary>
    public static PoolKey Of(RangeSpec range, string networkName) => range.Slice.Match(
        s => For(s.Range, networkName.Length > 0 ? $"{networkName}-{s.Node}" : s.Node),
        () => For(range.Range, networkName));

    /// <summary>
    /// What the name carries before its range: network_name, and in node-slice mode "network_name-node" (the
    /// node alone for an unnamed network); "" when the name is the bare range's, or not of this shape at all.
    /// The pool does not record its network, so metrics and the operators' CLI read it off the name.
    /// <code>Prefix("blue-10.0.0.0-24", 10.0.0.0/24) = "blue";  Prefix("10.0.0.0-24", 10.0.0.0/24) = ""</code>
    /// </summary>
    public string Prefix
    {
        get
        {
            var bare = For(Range, "").Name;
            return Name.Length > bare.Length + 1 && Name.EndsWith("-" + bare, StringComparison.Ordinal) ? Name[..^(bare.Length + 1)] : "";
        }
    }

    public override string ToString() => Name;
}
