namespace Whereabouts.Stores;

/// <summary>
/// The store could not be used. Transient failures (timeouts, refused connections, 5xx, 429) are retried
/// until the deadline; permanent ones (bad credentials, an untrusted certificate) fail the request at once.
/// </summary>
public class StoreUnavailableException(string message, bool transient, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Transient { get; } = transient;

    /// <summary>The CNI error code a permanent failure is reported with (50 unless the store knows better).</summary>
    public int Code { get; init; } = Core.Errors.StoreUnavailableCode;

    /// <summary>How long the store asked us to wait before the next try (HTTP 429 Retry-After): the retry loop waits at least this.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.Zero;

    /// <summary>A write the datastore refuses because the pool has grown too large to store (<see cref="Core.Errors.PoolTooLarge"/>).</summary>
    public static StoreUnavailableException PoolTooLarge(string pool, string answer) =>
        new(Core.Errors.PoolTooLarge(pool, answer).Message, transient: false) { Code = Core.Errors.PoolTooLargeCode };
}
