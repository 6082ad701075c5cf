using Whereabouts.Core.Addresses;

namespace Whereabouts.Kubectl.Model;

/// <summary>
/// What an operator names on the command line: an address ("10.0.0.5"), a pool by name ("blue-10.0.0.0-24")
/// or by range ("10.0.0.0/24"), a pod ("namespace/name"), or a bare pod name (any namespace).
/// Read in that order: an address or a CIDR is never a valid pod or pool name, a pool name never holds '/'.
/// </summary>
public abstract record Target
{
    Target() { }

    public sealed record OfAddress(Address Address) : Target;
    public sealed record OfPool(string Name) : Target;
    public sealed record OfRange(Cidr Range) : Target;
    public sealed record OfPod(string PodRef) : Target;
    public sealed record OfPodName(string Name) : Target;

    public static Target Parse(string text, IEnumerable<string> poolNames)
    {
        if (Address.Parse(text).Case is Address a) return new OfAddress(a);
        if (poolNames.Contains(text, StringComparer.Ordinal)) return new OfPool(text);
        if (text.Contains('/') && Cidr.Parse(text).Case is Cidr c) return new OfRange(c.Normalised);
        return text.Contains('/') ? new OfPod(text) : new OfPodName(text);
    }

    public sealed override string ToString() => this switch
    {
        OfAddress x => $"address {x.Address}",
        OfPool x => $"pool {x.Name}",
        OfRange x => $"range {x.Range}",
        OfPod x => $"pod {x.PodRef}",
        OfPodName x => $"pod named {x.Name}",
        _ => GetType().Name,
    };
}
