using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Engine;

/// <summary>An address handed to an interface, with the range it came from (its prefix goes in the result).</summary>
public sealed record Lease(Address Address, Cidr Range)
{
    public override string ToString() => $"{Address}/{Range.Prefix}";
}

/// <summary>What a plan achieves once executed.</summary>
public abstract record Outcome
{
    Outcome() { }

    /// <summary>ADD: one lease per configured range, in configuration order.</summary>
    public sealed record Allocated(ImmutableArray<Lease> Leases) : Outcome;

    /// <summary>DEL and GC: the addresses given back.</summary>
    public sealed record Released(ImmutableArray<Address> Addresses) : Outcome;
}
