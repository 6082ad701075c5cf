using System.Diagnostics;
using System.Threading.Channels;
using Whereabouts.Core.Reclaim;
using Whereabouts.Stores;

namespace Whereabouts.Controller.Reclaim;

/// <summary>
/// The leader's reclaiming: a sweep at once, then one every <c>interval</c>, one as soon as something that
/// waits out its grace period is due (so a leak found young is not left for a whole interval), and one soon after the pod index
/// reports a pod deleted or terminated (<see cref="Nudge"/>; nudges within <see cref="Debounce"/> share one
/// sweep, so a node's pods going at once cost one). A failed sweep is logged and counted; the next one retries.
/// </summary>
public sealed class ReclaimLoop(Sweeper sweeper, ControllerMetrics metrics, PoolEvents events, TimeSpan interval, Log log, TimeProvider clock)
{
    static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);
    readonly Channel<bool> nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Each finished sweep (tests and benchmarks watch it).</summary>
    public event Action<SweepReport>? Swept;

    public void Nudge() => nudges.Writer.TryWrite(true);

    public async Task Run(CancellationToken leading)
    {
        while (!leading.IsCancellationRequested)
        {
            var due = await SweepOnce(leading);
            var pause = due is { } d ? Clamp(d - clock.GetUtcNow(), MinimumPause, interval) : interval;
            using var wait = new CancellationTokenSource(pause, clock);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, leading);
            try
            {
                await nudges.Reader.ReadAsync(either.Token);
                await Task.Delay(Debounce, clock, leading);
            }
            catch (OperationCanceledException) when (!leading.IsCancellationRequested)
            {
                // the interval is up: the periodic sweep
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sweeps never follow each other closer than this, whatever is due.</summary>
    static readonly TimeSpan MinimumPause = TimeSpan.FromMilliseconds(100);

    static TimeSpan Clamp(TimeSpan t, TimeSpan low, TimeSpan high) => t < low ? low : t > high ? high : t;

    /// <summary>One sweep and its reports; when the next is due (null: nothing waits).</summary>
    async Task<DateTimeOffset?> SweepOnce(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var report = await sweeper.Sweep(ct);
            var usage = report.Pools.Select(PoolUsage.Of).ToList();
            metrics.Swept(usage, report.Released, report.OrphansRemoved.Length, Stopwatch.GetElapsedTime(started));
            foreach (var leak in report.Released)
            {
                log.Verbose($"reclaimed {leak.Pool.Range.AddressAt(leak.Allocation.Offset)} of pool {leak.Pool} from {leak.Allocation.Owner}: {leak.Reason}");
                await events.Reclaimed(leak, ct);
            }
            foreach (var orphan in report.OrphansRemoved)
                log.Verbose($"deleted orphaned reservation {orphan.Name} of {orphan.Owner}: no pool holds its address");
            await events.Usage(usage, ct);
            Swept?.Invoke(report);
            return report.NextDue;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            metrics.SweepFailed();
            log.Error($"sweep failed: {e.GetType().Name}: {e.Message}; the next sweep tries again");
            return null;
        }
    }
}
