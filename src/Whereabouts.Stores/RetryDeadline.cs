using System.Globalization;
using LanguageExt.Common;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Stores;

/// <summary>
/// The one deadline of a CNI invocation (WHEREABOUTS_RETRY_DEADLINE_MS, RetryPolicy.Deadline) as a token:
/// every store call, retry loop, backoff and node-slice lookup takes <see cref="Token"/>, so nothing runs on
/// past it, whatever its own timeouts say. Started once, when the invocation starts.
/// The alarm that cancels the token is armed only when something may wait (<see cref="Arm"/>): a timer starts
/// the runtime's timer thread, 1.5 ms of a file-store ADD+DEL that never waits (docs/benchmarks.md).
/// </summary>
public sealed class RetryDeadline : IDisposable
{
    readonly CancellationTokenSource timer;
    readonly CancellationTokenSource linked;
    readonly TimeProvider time;
    readonly long started;
    ITimer? alarm;

    public RetryDeadline(TimeSpan limit, TimeProvider time, CancellationToken outer = default)
    {
        Limit = limit;
        this.time = time;
        started = time.GetTimestamp();
        timer = new CancellationTokenSource();
        linked = CancellationTokenSource.CreateLinkedTokenSource(outer, timer.Token);
    }

    public TimeSpan Limit { get; }

    /// <summary>
    /// From now on the token is cancelled when the deadline passes. Call it before anything that may wait
    /// (a network store, a contended lock); calling it again does nothing.
    /// </summary>
    public void Arm()
    {
        if (alarm is not null) return;
        var left = Limit - Elapsed;
        alarm = time.CreateTimer(_ => Cancel(), null, left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    void Cancel()
    {
        try { timer.Cancel(); }
        catch (ObjectDisposedException) { /* the invocation ended first */ }
    }

    /// <summary>Cancelled when the deadline passes or the caller cancels.</summary>
    public CancellationToken Token => linked.Token;

    /// <summary>The deadline itself (not the caller) ended the work.</summary>
    public bool Passed => timer.IsCancellationRequested || Elapsed >= Limit;

    public TimeSpan Elapsed => time.GetElapsedTime(started);

    /// <summary>"1.5s": the limit as the messages state it.</summary>
    public string Shown => Limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    /// <summary>CNI error 11 (try again later) naming the deadline and what was going on when it passed.</summary>
    public Error Exceeded(string what) =>
        Errors.TryAgainLater($"{what} did not finish within the retry deadline of {Shown} (WHEREABOUTS_RETRY_DEADLINE_MS)");

    public void Dispose()
    {
        alarm?.Dispose();
        linked.Dispose();
        timer.Dispose();
    }
}
