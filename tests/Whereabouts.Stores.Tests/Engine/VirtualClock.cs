namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// A clock that never sleeps: a timer created to wait d (a backoff, shorter than <see cref="Alarm"/>) moves
/// time on by d at once and fires every timer due by then, in order (on the thread pool, as real timers do).
/// Longer timers are alarms (the retry deadline): they only fire when the waits really add up to them.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    readonly object gate = new();
    readonly List<Timer> pending = [];
    long now;

    public static readonly TimeSpan Alarm = TimeSpan.FromMinutes(1);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (gate) return now;
    }

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    void Schedule(Timer timer, TimeSpan due)
    {
        List<Timer> fired;
        lock (gate)
        {
            pending.Remove(timer);
            if (due == Timeout.InfiniteTimeSpan) return;
            timer.Due = now + Math.Max(0, due.Ticks);
            pending.Add(timer);
            if (due < Alarm) now = Math.Max(now, timer.Due);
            fired = pending.Where(t => t.Due <= now).OrderBy(t => t.Due).ToList();
            pending.RemoveAll(fired.Contains);
        }
        foreach (var t in fired) ThreadPool.QueueUserWorkItem(_ => t.Fire());
    }

    void Cancel(Timer timer)
    {
        lock (gate) pending.Remove(timer);
    }

    sealed class Timer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public long Due;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Schedule(this, dueTime);
            return true;
        }

        public void Dispose() => clock.Cancel(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
