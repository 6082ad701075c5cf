using System.Globalization;
using LanguageExt.Common;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Stores;

/// <summary>
/// The one deadline of a CNI invocation (WHEREABOUTS_RETRY_DEADLINE_MS, RetryPolicy.Deadline) as a token:
/// every store call, retry loop, backoff and node-slice lookup takes <see cref="Token"/>, so nothing runs on
/// past it, whatever its own timeouts say. Started once, when the invocation starts.
/// </summary>
public sealed class RetryDeadline : IDisposable
{
    readonly CancellationTokenSource timer;
    readonly CancellationTokenSource linked;
    readonly TimeProvider time;
    readonly long started;

    public RetryDeadline(TimeSpan limit, TimeProvider time, CancellationToken outer = default)
    {
        Limit = limit;
        this.time = time;
        started = time.GetTimestamp();
        timer = new CancellationTokenSource(limit, time);
        linked = CancellationTokenSource.CreateLinkedTokenSource(outer, timer.Token);
    }

    public TimeSpan Limit { get; }

    /// <summary>Cancelled when the deadline passes or the caller cancels.</summary>
    public CancellationToken Token => linked.Token;

    /// <summary>The deadline itself (not the caller) ended the work.</summary>
    public bool Passed => timer.IsCancellationRequested;

    public TimeSpan Elapsed => time.GetElapsedTime(started);

    /// <summary>"1.5s": the limit as the messages state it.</summary>
    public string Shown => Limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    /// <summary>CNI error 11 (try again later) naming the deadline and what was going on when it passed.</summary>
    public Error Exceeded(string what) =>
        Error.New(Errors.TryAgainLaterCode,
            $"{what} did not finish within the retry deadline of {Shown} (WHEREABOUTS_RETRY_DEADLINE_MS)");

    public void Dispose()
    {
        linked.Dispose();
        timer.Dispose();
    }
}
