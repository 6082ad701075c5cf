using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Engine;

/// <summary>The network a request is about: its ranges, name prefix and whether reservations span ranges.</summary>
public sealed record NetworkScope(ImmutableArray<RangeSpec> Ranges, string NetworkName, bool OverlappingRanges)
{
    /// <summary>The pools these ranges live in, without duplicates, in configuration order.</summary>
    public ImmutableArray<PoolKey> PoolKeys => Ranges.Map(r => PoolKey.Of(r, NetworkName)).Distinct().ToImmutableArray();
}

/// <summary>ADD: give <paramref name="Owner"/> one address per range, honouring requested addresses.</summary>
public sealed record AddRequest(Owner Owner, NetworkScope Scope, ImmutableArray<Address> Requested);

/// <summary>DEL: release everything held by (container ID, interface) in every range of the network.</summary>
public sealed record DelRequest(string ContainerId, string IfName, NetworkScope Scope);

/// <summary>CHECK: the attachment holds an address in every range, matching the previous result if given.</summary>
public sealed record CheckRequest(string ContainerId, string IfName, NetworkScope Scope, ImmutableArray<Address> PreviousAddresses);

/// <summary>A (container ID, interface) pair the runtime still uses.</summary>
public sealed record Attachment(string ContainerId, string IfName);

/// <summary>
/// GC: release every allocation of the network whose attachment is not in <paramref name="Valid"/> and that
/// <paramref name="Ownership"/> shows to be this node's (see <see cref="GcOwnership"/>).
/// </summary>
public sealed record GcRequest(ImmutableArray<Attachment> Valid, NetworkScope Scope, GcOwnership Ownership);
