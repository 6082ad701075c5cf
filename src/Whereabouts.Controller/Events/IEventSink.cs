namespace Whereabouts.Controller.Events;

/// <summary>The object an Event is about (its involvedObject / regarding).</summary>
public sealed record EventSubject(string ApiVersion, string Kind, string Namespace, string Name, string Uid = "");

/// <summary>
/// Where the controller reports what it did or could not do, as Kubernetes Events (and the log). A failure to
/// record is logged, never thrown: an Event is a report, not part of the work.
/// </summary>
public interface IEventSink
{
    /// <param name="type">"Normal" or "Warning".</param>
    /// <param name="reason">UpperCamelCase, e.g. AddressReclaimed.</param>
    Task Record(EventSubject about, string type, string reason, string message, CancellationToken ct);
}
