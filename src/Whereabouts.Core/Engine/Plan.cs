using System.Collections.Immutable;
using LanguageExt;

namespace Whereabouts.Core.Engine;

/// <summary>One operation and what undoes it if a later operation of the same plan fails.</summary>
public sealed record Step(StoreOp Do, ImmutableArray<Undo> Undo);

/// <summary>
/// What a decision asks of the store: steps in the order they must run, and the outcome to report once all
/// have run. Ordered deterministically: reservations before pool writes, pools by name.
/// </summary>
public sealed record Plan(ImmutableArray<Step> Steps, Outcome Outcome)
{
    public ImmutableArray<StoreOp> Ops => Steps.Map(s => s.Do);

    /// <summary>The compensation for a plan whose first <paramref name="applied"/> steps ran: their undo, newest first.</summary>
    public ImmutableArray<Undo> UndoAfter(int applied) => Steps.Take(applied).Reverse().SelectMany(s => s.Undo).ToImmutableArray();

    public bool IsEmpty => Steps.IsEmpty;

    /// <summary>
    /// The reservation deletes a release (DEL, GC) owes if this attempt does not finish: they are carried into
    /// the next attempt (<see cref="Then"/>). Its pool write may have landed with its answer lost, and then the
    /// next decision, made from pools that no longer hold the address, would not delete its reservation.
    /// An ADD owes none: what it reserved is taken back by its compensation instead.
    /// </summary>
    public ImmutableArray<Step> OwedDeletes =>
        Outcome is Outcome.Released ? Steps.Where(s => s.Do is StoreOp.DeleteReservation).ToImmutableArray() : ImmutableArray<Step>.Empty;

    /// <summary>
    /// This plan, then the <paramref name="owed"/> deletes it does not already make: after its pool writes, so a
    /// reservation still goes only once no pool holds its address; each delete is guarded by its owner.
    /// </summary>
    public Plan Then(ImmutableArray<Step> owed)
    {
        var missing = owed.Where(o => !Steps.Any(s => s.Do == o.Do)).ToImmutableArray();
        return missing.IsEmpty ? this : this with { Steps = Steps.AddRange(missing) };
    }
}
