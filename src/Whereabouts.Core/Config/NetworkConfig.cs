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
    Seq<Address> RuntimeIps,
    Option<JsonObject> PrevResult,
    Seq<Engine.Attachment> ValidAttachments);
