using Microsoft.Extensions.Hosting;

namespace Whereabouts.Controller;

/// <summary>Runs the election, and the leader's work while it leads, for the life of the host.</summary>
public sealed class LeaderService(Leadership leadership, Func<CancellationToken, Task> lead) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stopping) => leadership.Run(lead, stopping);
}
