using System.Collections.Immutable;
using Whereabouts.Core.Pools;

namespace Whereabouts.Kubectl.Model;

/// <summary>What <c>release</c> may do with what it was asked to free.</summary>
public abstract record ReleaseDecision
{
    ReleaseDecision() { }

    /// <summary>
    /// Free exactly these allocations (each pool's through its own compare-and-swap loop), and delete these
    /// reservations, which no pool backs (an ADD or DEL that died half-way).
    /// </summary>
    public sealed record Release(ImmutableArray<Holding> Holdings, ImmutableArray<ReservationEntry> Orphans) : ReleaseDecision;
    /// <summary>Nothing of the target is held.</summary>
    public sealed record NothingHeld : ReleaseDecision;
    /// <summary>Releasing would be wrong or ambiguous; the reason says what to do instead.</summary>
    public sealed record Refused(string Why) : ReleaseDecision;
}
