using Snapshooter;
using Snapshooter.Xunit;

namespace Whereabouts.Kubectl.Tests;

/// <summary>The read commands' output, table and machine formats, against the planted world (snapshots).</summary>
public sealed class ReadScenarios(PlantedWorld fixture) : IClassFixture<PlantedWorld>
{
    World World => fixture.World;

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    [InlineData("yaml")]
    public async Task PoolsListsEveryPoolFullestFirst(string format) =>
        Snapshot.Match((await World.Run("pools", "-o", format)).Transcript, SnapshotNameExtension.Create(format));

    [Theory]
    [InlineData("address", "10.10.0.1", "table")]
    [InlineData("address", "10.10.0.1", "json")]
    [InlineData("pool", "10.10.0.0-24", "table")]
    [InlineData("upstream-pool", "blue-fd00-10---64", "table")]
    [InlineData("range", "10.30.1.0/24", "yaml")]
    [InlineData("pod", "default/web-1", "table")]
    [InlineData("pod", "default/web-1", "json")]
    [InlineData("bare-pod-name", "db-1", "table")]
    [InlineData("empty-pool", "red-10.40.0.0-28", "table")]
    [InlineData("nothing", "10.99.0.1", "table")]
    public async Task ShowSaysWhoHoldsWhat(string what, string target, string format) =>
        Snapshot.Match((await World.Run("show", target, "-o", format)).Transcript, SnapshotNameExtension.Create(what, format));

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    [InlineData("yaml")]
    public async Task CheckReportsEveryPlantedInconsistency(string format) =>
        Snapshot.Match((await World.Run("check", "-o", format)).Transcript, SnapshotNameExtension.Create(format));

    [Fact]
    public async Task CheckWithoutReservationsLeavesOutMissingOnes() =>
        Snapshot.Match((await World.Run("check", "--ignore-missing-reservations")).Transcript);
}
