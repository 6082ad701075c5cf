using System.Threading.Channels;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// One open watch's queue. The store writes into it under its lock, so a watcher receives events in revision
/// order with no gap between its starting point and the live changes; completing it ends the stream.
/// </summary>
internal sealed class WatchSubscription(string plural, string? ns)
{
    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });

    public string Plural { get; } = plural;

    /// <summary>Null: every namespace.</summary>
    public string? Namespace { get; } = ns;

    public ChannelReader<WatchEvent> Events => _events.Reader;

    public bool Wants(string plural, string ns) => plural == Plural && (Namespace is null || Namespace == ns);

    public void Offer(WatchEvent e) => _events.Writer.TryWrite(e);

    public void Close() => _events.Writer.TryComplete();
}
