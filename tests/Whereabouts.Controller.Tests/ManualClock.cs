namespace Whereabouts.Controller.Tests;

/// <summary>A clock whose "now" the test moves; timers and delays stay the system's.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}
