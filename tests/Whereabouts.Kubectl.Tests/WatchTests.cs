using Spectre.Console.Testing;

namespace Whereabouts.Kubectl.Tests;

/// <summary><c>pools --watch</c> prints again after each interval, and ends cleanly when interrupted.</summary>
public sealed class WatchTests
{
    /// <summary>A clock whose timers fire at once; the <paramref name="rounds"/>th wait interrupts the run, as Ctrl+C would.</summary>
    sealed class Rounds(int rounds, CancellationTokenSource interrupt) : TimeProvider
    {
        int waits;

        public override DateTimeOffset GetUtcNow() => FixedClock.Noon;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (Interlocked.Increment(ref waits) >= rounds) interrupt.Cancel();
            else ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new Never();
        }

        sealed class Never : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task WatchPrintsEveryIntervalUntilInterrupted()
    {
        await using var world = await World.Planted();
        using var interrupt = new CancellationTokenSource();
        var console = new Spectre.Console.Testing.TestConsole().Width(Kubectl.Width);
        var host = new KubectlHost(console, new StringWriter(), new Rounds(3, interrupt), _ => null);
        var code = await KubectlApp.Run(["pools", "--watch", "--kubeconfig", world.Kubeconfig], host, interrupt.Token);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(3, console.Output.Split('\n').Count(l => l.StartsWith("POOL ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WatchInJsonPrintsOneDocumentPerRound()
    {
        await using var world = await World.Planted();
        using var interrupt = new CancellationTokenSource();
        var console = new Spectre.Console.Testing.TestConsole().Width(Kubectl.Width);
        var host = new KubectlHost(console, new StringWriter(), new Rounds(2, interrupt), _ => null);
        Assert.Equal(ExitCodes.Ok, await KubectlApp.Run(["pools", "-w", "-o", "json", "--kubeconfig", world.Kubeconfig], host, interrupt.Token));
        Assert.Equal(2, console.Output.Split('\n').Count(l => l == "{"));
    }
}
