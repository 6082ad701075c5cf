using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

namespace Whereabouts.Stores;

/// <summary>
/// Group commit, for a process that serves many requests (the node agent). Requests for one pool that arrive
/// while a write of it is in flight wait in that pool's lane; the lane then takes them all as one round
/// (GroupCommit.Round.cs): one read, one batched decision (<see cref="Batch"/>), their reservations created
/// concurrently, one compare-and-swap of the pool, and each caller answered once its own writes have landed.
/// A request alone in its lane starts at once, so nothing waits that would not have waited on the pool anyway.
/// <para>
/// What does not commit in a round goes again in the next, first in line: after a lost race with the same
/// backoff as <see cref="ConflictRetry"/>, after a taken reservation knowing its holder. Each request keeps
/// its own deadline and gets CNI error 11 when it passes.
/// </para>
/// </summary>
public sealed partial class GroupCommit(IPoolStore store, RetryPolicy policy, TimeProvider clock, Func<double> jitter, Log log, int maxBatch = 256,
    Func<KnownReservations, KnownReservations>? steer = null)
{
    /// <summary>What each decision knows: its own, plus what the host has seen elsewhere (a watched cache: <see cref="KnownReservations.Seen"/>).</summary>
    readonly Func<KnownReservations, KnownReservations> knowing = steer ?? (k => k);

    readonly Dictionary<string, Lane> lanes = [];
    readonly ConflictRetry undo = new(store, policy, clock, jitter, log);

    /// <summary>Rounds written and requests they committed, for /metrics.</summary>
    public event Action<int>? Committed;

    /// <summary>Rounds that lost the pool's compare-and-swap, for /metrics.</summary>
    public event Action? Conflicted;

    /// <summary>One request waiting for, or taking part in, a round.</summary>
    sealed class Waiter(ConflictRetry.Decision decide, RetryDeadline deadline)
    {
        public ConflictRetry.Decision Decide { get; } = decide;
        public RetryDeadline Deadline { get; } = deadline;
        public TaskCompletionSource<Fin<Outcome>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public KnownReservations Known { get; set; } = KnownReservations.None;
        /// <summary>Reservation deletes a release owes its next round (<see cref="Plan.OwedDeletes"/>).</summary>
        public ImmutableArray<Step> Owed { get; set; } = ImmutableArray<Step>.Empty;
        public int Races { get; set; }
        public int Rounds { get; set; }
        public string Cause { get; set; } = "";
        /// <summary>The pools as read when its reservation was last found held (see <see cref="ConflictRetry.LostRace"/>).</summary>
        public PoolSnapshot? HeldAfter { get; set; }
        /// <summary>
        /// Reservations it made in a round whose pool write lost the race, kept for its next decision to take
        /// again (<see cref="Allocator"/>, an address reserved for exactly this owner) rather than deleted and made anew.
        /// </summary>
        public ImmutableArray<StoreOp.CreateReservation> Holding { get; set; } = ImmutableArray<StoreOp.CreateReservation>.Empty;
    }

    sealed class Lane(PoolKey key)
    {
        public PoolKey Key { get; } = key;
        public LinkedList<Waiter> Queue { get; } = new();
        public bool Running { get; set; }
        public int LostRounds { get; set; }
    }

    /// <summary>Runs <paramref name="decide"/> about <paramref name="key"/> in the next round of its lane.</summary>
    public Task<Fin<Outcome>> Run(PoolKey key, ConflictRetry.Decision decide, RetryDeadline deadline)
    {
        var waiter = new Waiter(decide, deadline);
        deadline.Arm();
        Lane lane;
        bool start;
        lock (lanes)
        {
            if (!lanes.TryGetValue(key.Name, out lane!)) lanes[key.Name] = lane = new Lane(key);
            lane.Queue.AddLast(waiter);
            start = !lane.Running;
            lane.Running = true;
        }
        if (start) _ = Task.Run(() => Pump(lane));
        return waiter.Done.Task;
    }

    async Task Pump(Lane lane)
    {
        while (true)
        {
            var batch = new List<Waiter>();
            lock (lanes)
            {
                while (batch.Count < maxBatch && lane.Queue.First is { } first)
                {
                    lane.Queue.RemoveFirst();
                    batch.Add(first.Value);
                }
                if (batch.Count == 0)
                {
                    lane.Running = false;
                    return;
                }
            }
            var live = new List<Waiter>();
            foreach (var w in batch)
                if (w.Deadline.Passed || w.Deadline.Token.IsCancellationRequested) await GiveUp(w);
                else live.Add(w);
            if (live.Count == 0) continue;
            TimeSpan wait;
            List<Waiter> again;
            try
            {
                (again, wait) = await Round(lane, live);
            }
            catch (Exception e)
            {
                // A bug in a round must not leave its callers waiting for ever.
                log.Error($"group commit of pool {lane.Key}: {e.GetType().Name}: {e.Message}");
                foreach (var w in live) w.Done.TrySetResult(Core.Errors.Internal($"internal error in group commit: {e.GetType().Name}: {e.Message}"));
                continue;
            }
            if (again.Count == 0) continue;
            lock (lanes)
                for (var i = again.Count - 1; i >= 0; i--) lane.Queue.AddFirst(again[i]);
            if (wait <= TimeSpan.Zero) continue;
            log.Verbose($"pool {lane.Key}: {again.Count} request(s) go again in {wait.TotalMilliseconds:0}ms: {again[0].Cause}");
            try { await Task.Delay(wait, clock, again[0].Deadline.Token); }
            catch (OperationCanceledException) { /* the first in line ran out of time: the next pass answers it */ }
        }
    }

    async Task GiveUp(Waiter w)
    {
        await Release(w, NothingKept);
        w.Done.TrySetResult(ConflictRetry.GaveUp(w.Deadline, Math.Max(1, w.Rounds), w.Cause.Length > 0 ? w.Cause : "the store had not answered yet"));
    }

    static readonly IReadOnlySet<Core.Addresses.Address> NothingKept = ImmutableHashSet<Core.Addresses.Address>.Empty;

    /// <summary>Takes back what <paramref name="w"/> holds from lost rounds, except the reservations of the addresses in <paramref name="keep"/>.</summary>
    async Task Release(Waiter w, IReadOnlySet<Core.Addresses.Address> keep)
    {
        var extra = w.Holding.Where(h => !keep.Contains(h.Key.Address)).ToArray();
        w.Holding = ImmutableArray<StoreOp.CreateReservation>.Empty;
        if (extra.Length == 0) return;
        var undo = extra.Select(h => (Undo)new Undo.Write(new StoreOp.DeleteReservation(h.Key, h.Owner))).ToImmutableArray();
        await this.undo.Compensate(undo, w.Deadline, CancellationToken.None);
    }
}
