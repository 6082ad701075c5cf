using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;

namespace Whereabouts.Core.Requests;

/// <summary>
/// One CNI request, resolved: the verb and its environment, the validated settings (flat file merged, node
/// slice applied), and the addresses asked for, each parsed once. Built only by <see cref="RequestResolver"/>.
/// </summary>
public sealed record Request(
    CniEnvironment Env,
    CniVersion Version,
    IpamSettings Ipam,
    ImmutableArray<Address> Requested,
    Option<ImmutableArray<string>> PreviousAddresses,
    Fin<ImmutableArray<Attachment>> ValidAttachments,
    string? NodeName,
    ImmutableArray<string> UnknownKeys)
{
    public CniVerb Verb => Env.Verb;
    public string ContainerId => Env.ContainerId;
    public string IfName => Env.IfName;
    public CniArgs Args => Env.Args;

    public NetworkScope Scope => new(Ipam.Ranges, Ipam.NetworkName, Ipam.OverlappingRanges);
}
