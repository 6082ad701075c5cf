using System.Collections.Concurrent;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// Counts every routed request by verb and by (verb, plural), including ones that then
/// failed auth or were hit by a fault: tests assert on what a client attempted.
/// </summary>
internal sealed class RequestCounters
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.OrdinalIgnoreCase);

    public void Record(string verb, string plural)
    {
        _counts.AddOrUpdate(verb, 1, static (_, n) => n + 1);
        _counts.AddOrUpdate(verb + "/" + plural, 1, static (_, n) => n + 1);
    }

    public int Count(string verb) => _counts.GetValueOrDefault(verb);

    public int Count(string verb, string plural) => _counts.GetValueOrDefault(verb + "/" + plural);

    public void Reset() => _counts.Clear();
}
