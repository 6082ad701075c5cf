using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;

namespace Whereabouts.Core.Config;

/// <summary>
/// The parts of the network configuration on stdin that an IPAM plugin reads; PreviousAddresses are the
/// address texts of prevResult ("10.0.0.5/24"), when there is one. ValidAttachments is GC's list, or the error
/// that it is missing or malformed (only GC reads it).
/// </summary>
public sealed record NetworkConfig(
    CniVersion Version,
    string Name,
    IpamDto Ipam,
    ImmutableArray<Address> RuntimeIps,
    Option<ImmutableArray<string>> PreviousAddresses,
    Fin<ImmutableArray<Engine.Attachment>> ValidAttachments);
