using Whereabouts.Stores;

namespace Whereabouts.Controller.Events;

/// <summary>Events as log lines only: for a controller that may not record Events (or a test).</summary>
public sealed class LogEventSink(Log log) : IEventSink
{
    public Task Record(EventSubject about, string type, string reason, string message, CancellationToken ct)
    {
        log.Verbose($"event {type} {reason} on {about.Kind} {about.Namespace}/{about.Name}: {message}");
        return Task.CompletedTask;
    }
}
