using Whereabouts.Core.Addresses;

namespace Whereabouts.Kubectl.Model;

/// <summary>One address host-local handed out: its file's name is the address, its content the owner.</summary>
public sealed record HostLocalEntry(Address Address, string ContainerId, string IfName);
