namespace Whereabouts.Core.Engine;

/// <summary>
/// Backoff between attempts after a conflict: full jitter over an exponentially growing cap,
///   delay(attempt, jitter) = jitter × min(Max, Base × 2^attempt),   jitter ∈ [0, 1)
/// so that writers who collided spread out instead of colliding again. The shell draws the jitter.
/// </summary>
public sealed record RetryPolicy(TimeSpan Base, TimeSpan Max, TimeSpan Deadline)
{
    public static readonly RetryPolicy Default = new(TimeSpan.FromMilliseconds(4), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));

    public TimeSpan Delay(int attempt, double jitter)
    {
        var cap = Math.Min(Max.TotalMilliseconds, Base.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(Math.Clamp(jitter, 0, 1) * cap);
    }
}
