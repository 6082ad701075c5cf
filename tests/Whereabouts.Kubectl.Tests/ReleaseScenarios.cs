using Snapshooter;
using Snapshooter.Xunit;

namespace Whereabouts.Kubectl.Tests;

/// <summary><c>release</c> through the real Kubernetes store: what it frees, what it refuses, and that a dry run writes nothing.</summary>
public sealed class ReleaseScenarios : IAsyncLifetime
{
    World world = null!;

    public async Task InitializeAsync() => world = await World.Planted();

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task AGonePodsAddressIsFreedWithItsReservation()
    {
        var run = await world.Run("release", "10.10.0.3");
        Snapshot.Match(run.Transcript);
        Assert.Equal(["1", "2", "4", "255"], world.Keys("10.10.0.0-24"));
        Assert.False(world.HasReservation("10.10.0.3"));
        Assert.Equal(ExitCodes.NotFound, (await world.Run("show", "default/gone-pod")).Code);
    }

    [Fact]
    public async Task ATerminatedPodNeedsNoForce()
    {
        var run = await world.Run("release", "default/done", "-o", "json");
        Snapshot.Match(run.Transcript);
        Assert.DoesNotContain("4", world.Keys("10.10.0.0-24"));
        Assert.False(world.HasReservation("10.10.0.4"));
    }

    [Fact]
    public async Task ARunningPodIsRefusedAndNothingChanges()
    {
        var run = await world.Run("release", "default/web-1");
        Snapshot.Match(run.Transcript);
        Assert.Equal(["1", "2", "3", "4", "255"], world.Keys("10.10.0.0-24"));
        Assert.True(world.HasReservation("10.10.0.1"));
    }

    [Fact]
    public async Task ForceWithDryRunShowsEveryWriteAndWritesNothing()
    {
        var run = await world.Run("release", "default/web-1", "--force", "--dry-run");
        Snapshot.Match(run.Transcript);
        Assert.Equal(["1", "2", "3", "4", "255"], world.Keys("10.10.0.0-24"));
        Assert.Equal(["-9223372036854775803", "7"], world.Keys("blue-fd00-10---64"));
        Assert.True(world.HasReservation("blue-fd00-10--8000-0-0-5"));
    }

    [Fact]
    public async Task ForceReleasesARunningPodsAddressesInEveryPoolIncludingUpstreamsNegativeOffsets()
    {
        var run = await world.Run("release", "default/web-1", "--force");
        Snapshot.Match(run.Transcript);
        Assert.Equal(["2", "3", "4", "255"], world.Keys("10.10.0.0-24"));
        Assert.Equal(["7"], world.Keys("blue-fd00-10---64"));
        Assert.Empty(world.Keys("green-worker-1-10.30.1.0-24"));
        Assert.False(world.HasReservation("blue-fd00-10--8000-0-0-5"));
        Assert.False(world.HasReservation("green-10.30.1.1"));
        Assert.False(world.HasReservation("10.10.0.1"));
        Assert.Equal(["1", "300"], world.Keys("10.10.0.0-16"));
    }

    [Fact]
    public async Task AnAddressInTwoPoolsNeedsThePoolNamed()
    {
        var ambiguous = await world.Run("release", "10.10.0.1", "--force");
        var picked = await world.Run("release", "10.10.0.1", "--pool", "10.10.0.0-16", "--force");
        Snapshot.Match(ambiguous.Transcript + picked.Transcript);
        Assert.Equal(["300"], world.Keys("10.10.0.0-16"));
        Assert.Equal(["1", "2", "3", "4", "255"], world.Keys("10.10.0.0-24"));
        Assert.True(world.HasReservation("10.10.0.1")); // web-1's: db-1's release does not take it
    }

    [Fact]
    public async Task AReservationNoPoolBacksIsDeleted()
    {
        var dry = await world.Run("release", "10.10.0.50", "--dry-run");
        Assert.True(world.HasReservation("10.10.0.50"));
        var run = await world.Run("release", "10.10.0.50");
        Snapshot.Match(dry.Transcript + run.Transcript);
        Assert.False(world.HasReservation("10.10.0.50"));
        Assert.Equal(8, world.Server.List("overlappingrangeipreservations", World.Namespace).Count);
    }

    [Fact]
    public async Task AnAddressNobodyHoldsIsNotFound()
    {
        var run = await world.Run("release", "10.10.0.99");
        Assert.Equal(ExitCodes.NotFound, run.Code);
        Assert.Contains("nothing in kubernetes (namespace kube-system) is held by address 10.10.0.99", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APoolIsNotSomethingToRelease()
    {
        var run = await world.Run("release", "10.10.0.0-24");
        Assert.Equal(ExitCodes.Findings, run.Code);
        Assert.Contains("release takes an address", run.Error, StringComparison.Ordinal);
    }
}
