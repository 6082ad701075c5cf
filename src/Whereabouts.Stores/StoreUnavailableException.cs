namespace Whereabouts.Stores;

/// <summary>
/// The store could not be used. Transient failures (timeouts, refused connections, 5xx, 429) are retried
/// until the deadline; permanent ones (bad credentials, an untrusted certificate) fail the request at once.
/// </summary>
public class StoreUnavailableException(string message, bool transient, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Transient { get; } = transient;
}
