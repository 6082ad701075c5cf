using Snapshooter;
using Snapshooter.Xunit;

namespace Whereabouts.Kubectl.Tests;

/// <summary><c>import</c> of host-local's files through the real Kubernetes store.</summary>
public sealed class ImportScenarios : IAsyncLifetime
{
    World world = null!;
    string dir = null!;

    public async Task InitializeAsync()
    {
        world = await World.Planted();
        dir = Path.Combine(Path.GetTempPath(), "wb-host-local-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        // As host-local writes them: current versions "containerID\r\nifname", before 0.8 the container ID alone.
        File.WriteAllText(Path.Combine(dir, "10.10.0.20"), World.ContainerId("legacy-a") + "\r\nnet1");
        File.WriteAllText(Path.Combine(dir, "10.10.0.21"), World.ContainerId("legacy-b"));
        File.WriteAllText(Path.Combine(dir, "last_reserved_ip.0"), "10.10.0.21");
        File.WriteAllText(Path.Combine(dir, "lock"), "");
    }

    public async Task DisposeAsync()
    {
        await world.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task HostLocalsAddressesBecomeAllocationsAndReservations()
    {
        var podRefs = Path.Combine(dir, "..", Path.GetFileName(dir) + ".pods");
        File.WriteAllText(podRefs, $"# from crictl\n{World.ContainerId("legacy-a")} default/legacy-a\n");
        var run = await world.Run("import", "--from-host-local", dir, "--range", "10.10.0.0/24", "--pod-refs", podRefs);
        File.Delete(podRefs);
        var again = await world.Run("import", "--from-host-local", dir, "--range", "10.10.0.0/24");
        var shown = await world.Run("show", "10.10.0.20");
        Snapshot.Match(Mask(run.Transcript + again.Transcript + shown.Transcript));
        Assert.Equal(["1", "2", "3", "4", "20", "21", "255"], world.Keys("10.10.0.0-24"));
        Assert.True(world.HasReservation("10.10.0.20"));
        Assert.True(world.HasReservation("10.10.0.21"));
    }

    [Fact]
    public async Task ANetworkNameAndANewPool()
    {
        var run = await world.Run("import", "--from-host-local", dir, "--range", "10.10.0.16/28", "--network", "legacy", "-o", "json");
        Snapshot.Match(Mask(run.Transcript));
        Assert.Equal(["4", "5"], world.Keys("legacy-10.10.0.16-28"));
        Assert.True(world.HasReservation("legacy-10.10.0.20"));
    }

    [Fact]
    public async Task AConflictRefusesTheWholeImportAndWritesNothing()
    {
        File.WriteAllText(Path.Combine(dir, "10.10.0.1"), "someone-else\r\neth0");
        File.WriteAllText(Path.Combine(dir, "10.99.0.1"), "elsewhere\r\neth0");
        var run = await world.Run("import", "--from-host-local", dir, "--range", "10.10.0.0/24");
        Snapshot.Match(Mask(run.Transcript));
        Assert.Equal(ExitCodes.Findings, run.Code);
        Assert.Equal(["1", "2", "3", "4", "255"], world.Keys("10.10.0.0-24"));
        Assert.False(world.HasReservation("10.10.0.20"));
    }

    [Fact]
    public async Task ADryRunWritesNothing()
    {
        var run = await world.Run("import", "--from-host-local", dir, "--range", "10.10.0.0/24", "--dry-run");
        Snapshot.Match(Mask(run.Transcript));
        Assert.Equal(["1", "2", "3", "4", "255"], world.Keys("10.10.0.0-24"));
    }

    [Fact]
    public async Task TheRangeIsRequired()
    {
        var run = await world.Run("import", "--from-host-local", dir);
        Assert.Equal(ExitCodes.Usage, run.Code);
        Assert.Contains("--range CIDR is required", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The temporary directory's name changes per run.</summary>
    string Mask(string text) => text.Replace(dir, "/var/lib/cni/networks/legacy", StringComparison.Ordinal);
}
