using System.Collections.Immutable;
using System.Text.Json.Nodes;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;

namespace Whereabouts.Core.Config;

/// <summary>The parts of the network configuration on stdin that an IPAM plugin reads.</summary>
public sealed record NetworkConfig(
    CniVersion Version,
    string Name,
    JsonObject Ipam,
    ImmutableArray<Address> RuntimeIps,
    Option<JsonObject> PrevResult,
    ImmutableArray<Engine.Attachment> ValidAttachments);
