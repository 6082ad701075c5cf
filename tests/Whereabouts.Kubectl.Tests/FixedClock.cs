namespace Whereabouts.Kubectl.Tests;

/// <summary>A clock that stands still, so pod ages in snapshots never change; <see cref="Delay"/>s of --watch end at once.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static readonly DateTimeOffset Noon = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => now;
}
