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
}
