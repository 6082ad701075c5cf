using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Stores;

/// <summary>
/// One round of a lane:
/// <code>
///   read → Batch.Decide → every request's reservations at once → drop those that failed (Batch.GoingAgain)
///        → one write of the pool for the others → their reservation deletes → answers
/// </code>
/// The dropped requests take back what they did and go again. A write that lost its race, or whose
/// answer was lost, sends every request of the round again, the latter after settling its part exactly as
/// <see cref="PlanExecutor"/> settles an unknown step: its own allocations out, then its reservations.
/// </summary>
public sealed partial class GroupCommit
{
    /// <summary>The reservations an answered ADD stands on: those of the addresses it leased.</summary>
    static IReadOnlySet<Core.Addresses.Address> ReservationsOf(Member m) =>
        m.Plan.Case is Plan { Outcome: Outcome.Allocated a } ? a.Leases.Select(l => l.Address).ToHashSet() : NothingKept;

    /// <summary>How a request's steps before the pool write went, and what takes back those that ran.</summary>
    sealed record BeforeWrite(bool Ok, ReservationKey? Held, Exception? Failure, ImmutableArray<Undo> Undo);

    static (List<Waiter>, TimeSpan) Answered => ([], TimeSpan.Zero);

    async Task<(List<Waiter> Again, TimeSpan Wait)> Round(Lane lane, List<Waiter> batch)
    {
        // The round runs until the latest deadline among its requests: one request running out of time must not
        // cancel the round for all the others (it is answered when the round ends, or by the pump).
        var ct = batch.MaxBy(w => w.Deadline.Limit - w.Deadline.Elapsed)!.Deadline.Token;
        foreach (var w in batch) w.Rounds++;
        PoolSnapshot read;
        try
        {
            read = await store.LoadPool(lane.Key, ct);
        }
        catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
        {
            return Failed(lane, batch, e);
        }

        foreach (var w in batch)
        {
            if (w.HeldAfter is { } then && ConflictRetry.LostRace([then], [read])) w.Known = w.Known.AfterLostRace(++w.Races, jitter());
            w.HeldAfter = null;
        }
        var members = Batch.Decide(read, batch.Select(w => (Batch.Decision)(pool => w.Decide([pool], knowing(w.Known)).Map(p => p.Then(w.Owed)))));
        for (var i = 0; i < batch.Count; i++)
            if (members[i].Plan.Case is Plan plan) batch[i].Owed = plan.OwedDeletes;

        var before = await Task.WhenAll(members.Select(m => RunBefore(m, ct)));
        var going = Batch.GoingAgain(members, Enumerable.Range(0, members.Length).Where(i => !before[i].Ok));
        var kept = Enumerable.Range(0, members.Length).Where(i => !going.Contains(i)).ToArray();
        var again = await Drop(going, batch, before, read, ct);
        var survivors = kept.Select(i => batch[i]).ToList();

        if (Batch.Commit(read, members, kept).Case is StoreOp write)
        {
            try
            {
                if (await store.Apply(write, ct) != ApplyResult.Applied)
                {
                    // Lost the race for the pool: each keeps the reservations it made, and its next decision takes
                    // one of them again (nobody else can: they are its); what it does not take is released then.
                    Conflicted?.Invoke();
                    for (var i = 0; i < survivors.Count; i++)
                    {
                        var w = survivors[i];
                        var made = members[kept[i]].Before.Select(s => s.Do).OfType<StoreOp.CreateReservation>().ToArray();
                        w.Holding = w.Holding.AddRange(made.Where(m => !w.Holding.Contains(m)));
                        foreach (var m in made) w.Known = w.Known.With(m.Key, m.Owner);
                        w.Known = w.Known.AfterLostRace(++w.Races, jitter());
                        w.Cause = "the pool changed while we wrote it";
                    }
                    return ([.. survivors, .. again], Backoff(lane, TimeSpan.Zero));
                }
            }
            catch (Exception e) when (e is WriteOutcomeUnknownException or OperationCanceledException)
            {
                // The write may have landed: each request's own part of it is taken out exactly, then its reservations.
                log.Error($"{PlanExecutor.Describe(write)} for {survivors.Count} request(s): {e.Message}; settling each of them");
                await TakeBack(survivors, i => members[kept[i]].PoolUndo.AddRange(before[kept[i]].Undo), stopAtFailure: true);
                foreach (var w in survivors) w.Cause = e.Message;
                return ([.. survivors, .. again], Backoff(lane, TimeSpan.Zero));
            }
            catch (StoreUnavailableException e)
            {
                await TakeBack(survivors, i => before[kept[i]].Undo);
                var (retry, wait) = Failed(lane, survivors, e);
                return ([.. retry, .. again], wait);
            }
        }

        lane.LostRounds = 0;
        Committed?.Invoke(kept.Length);
        await Task.WhenAll(kept.Select((k, i) => RunAfterWrite(members[k], survivors[i])));
        await Task.WhenAll(kept.Select((k, i) => Release(survivors[i], ReservationsOf(members[k]))));
        for (var i = 0; i < kept.Length; i++) survivors[i].Done.TrySetResult(members[kept[i]].Plan.Map(p => p.Outcome));
        return (again, TimeSpan.Zero);
    }

    /// <summary>
    /// The requests going again: each takes back its reservations; one whose reservation was taken learns who
    /// holds it, one the store refused for good is answered at once.
    /// </summary>
    async Task<List<Waiter>> Drop(ImmutableHashSet<int> going, List<Waiter> batch, BeforeWrite[] before, PoolSnapshot read, CancellationToken ct)
    {
        var again = new List<Waiter>();
        if (going.IsEmpty) return again;
        var order = going.Order().ToList();
        await TakeBack(order.Select(i => batch[i]).ToList(), i => before[order[i]].Undo);
        await Task.WhenAll(order.Select(async i =>
        {
            var w = batch[i];
            switch (before[i])
            {
                case { Held: { } held }:
                    w.Cause = $"reservation {held} is held";
                    w.HeldAfter = read;
                    try { (await store.LoadReservation(held, ct)).IfSome(o => w.Known = w.Known.With(held, o)); }
                    catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException) { w.Cause = e.Message; }
                    break;
                case { Failure: StoreUnavailableException { Transient: false } e }:
                    await Answer(w, Errors.OfCode(e.Code, e.Message));
                    break;
                case { Failure: { } e }:
                    w.Cause = e.Message;
                    break;
                default:
                    w.Cause = "a request before it in its round, about the same address, went again";
                    break;
            }
        }));
        again.AddRange(order.Select(i => batch[i]).Where(w => !w.Done.Task.IsCompleted));
        // What one learned, all going again share: they decided on the same view and would mostly run into the
        // same reservations (another node's pods, taken between our read and our writes) one round each.
        var learned = batch.Where(w => w.HeldAfter is not null).Aggregate(KnownReservations.None, (k, w) => k.Plus(w.Known));
        if (!learned.Owners.IsEmpty)
            foreach (var w in again) w.Known = w.Known.Plus(learned);
        return again;
    }

    async Task<BeforeWrite> RunBefore(Member member, CancellationToken ct)
    {
        var steps = member.Before;
        var applied = 0;
        try
        {
            foreach (var step in steps)
            {
                var result = await store.Apply(step.Do, ct);
                if (result != ApplyResult.Applied && step.Do is StoreOp.CreateReservation create)
                    return new BeforeWrite(false, create.Key, null, member.UndoBefore(applied));
                applied++;
            }
            return new BeforeWrite(true, null, null, member.UndoBefore(applied));
        }
        catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
        {
            // The step that failed may have happened with its answer lost: its own undo (a delete guarded by
            // its owner) is right either way.
            return new BeforeWrite(false, null, e, member.UndoBefore(Math.Min(applied + 1, steps.Length)));
        }
    }

    /// <summary>A release's reservation deletes, once the pool no longer holds their addresses; finished, not dropped, when the store fails.</summary>
    async Task RunAfterWrite(Member member, Waiter w)
    {
        var steps = member.AfterWrite;
        for (var i = 0; i < steps.Length; i++)
        {
            try
            {
                await store.Apply(steps[i].Do, w.Deadline.Token);
            }
            catch (Exception e) when (e is StoreUnavailableException or OperationCanceledException)
            {
                log.Verbose($"{PlanExecutor.Describe(steps[i].Do)}: {e.Message}; finishing it");
                await undo.Compensate(steps.Skip(i).Select(s => (Undo)new Undo.Write(s.Do)).ToImmutableArray(), w.Deadline, CancellationToken.None);
                return;
            }
        }
    }

    Task TakeBack(List<Waiter> waiters, Func<int, ImmutableArray<Undo>> undoOf, bool stopAtFailure = false) =>
        Task.WhenAll(waiters.Select((w, i) => undoOf(i) is { IsEmpty: false } u
            ? undo.Compensate(u, w.Deadline, CancellationToken.None, stopAtFailure)
            : Task.CompletedTask));

    /// <summary>A failure before anything was written: transient ones go again (after Retry-After if asked), others answer.</summary>
    (List<Waiter>, TimeSpan) Failed(Lane lane, List<Waiter> waiters, Exception e)
    {
        switch (e)
        {
            case StoreUnavailableException { Transient: false } permanent:
                foreach (var w in waiters) _ = Answer(w, Errors.OfCode(permanent.Code, permanent.Message));
                return Answered;
            case StoreUnavailableException transient:
                foreach (var w in waiters) w.Cause = transient.Message;
                return (waiters, Backoff(lane, transient.RetryAfter));
            default:
                // Cancelled: a request's deadline passed. The pump answers that one; the others go again at once.
                return (waiters, TimeSpan.Zero);
        }
    }

    /// <summary>Answers <paramref name="w"/> with an error, first taking back what it holds from lost rounds.</summary>
    async Task Answer(Waiter w, LanguageExt.Common.Error error)
    {
        await Release(w, NothingKept);
        w.Done.TrySetResult(error);
    }

    TimeSpan Backoff(Lane lane, TimeSpan asked)
    {
        var delay = policy.Delay(lane.LostRounds++, jitter());
        return delay < asked ? asked : delay;
    }
}
