namespace Whereabouts.Deploy.Tests;

/// <summary>
/// A containerd of the test's own: its root, state and socket in a temporary directory, so nothing touches a
/// containerd the machine may run. What these machines need (cgroup v1, PID 1 not systemd, no CAP_SYS_RESOURCE):
/// the cgroupfs driver, and the shim never raising an OOM score. The image archive build/image.sh wrote is
/// imported once.
/// </summary>
public sealed class Containerd : IAsyncLifetime
{
    public const string Namespace = "wbtest";
    public const string Image = "localhost/whereabouts:dev";
    readonly string dir = Directory.CreateTempSubdirectory("wb-containerd-").FullName;
    System.Diagnostics.Process? daemon;

    public string Socket => Path.Combine(dir, "containerd.sock");

    public async Task InitializeAsync()
    {
        var config = Path.Combine(dir, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{dir}/root"
            state = "{dir}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{Socket}"
            [ttrpc]
              address = "{Socket}.ttrpc"
            [plugins."io.containerd.grpc.v1.cri"]
              restrict_oom_score_adj = true
            """);
        var info = new System.Diagnostics.ProcessStartInfo("containerd", ["--config", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
        daemon = System.Diagnostics.Process.Start(info)!;
        daemon.OutputDataReceived += (_, _) => { };
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await Ctr("version")).Exit != 0)
        {
            if (daemon.HasExited || DateTime.UtcNow > until) throw new InvalidOperationException("containerd did not start");
            await Task.Delay(100);
        }
        var archive = Repo.Artifact("WHEREABOUTS_IMAGE_ARCHIVE", "image", "whereabouts.tar");
        (await Ctr("images", "import", archive)).OrFail("ctr images import");
    }

    /// <summary>ctr against this containerd, in the test's namespace.</summary>
    public Task<Ran> Ctr(params string[] args) => Run.Command("ctr", ["--address", Socket, "--namespace", Namespace, .. args]);

    /// <summary>Stops and removes a container whatever state it is in.</summary>
    public async Task Remove(string id)
    {
        await Ctr("tasks", "kill", "--signal", "SIGKILL", id);
        for (var i = 0; i < 50 && (await Ctr("tasks", "delete", id)).Exit != 0 && (await Ctr("tasks", "ls", "-q")).Output.Contains(id); i++)
            await Task.Delay(100);
        await Ctr("containers", "delete", id);
    }

    public async Task DisposeAsync()
    {
        foreach (var id in (await Ctr("containers", "ls", "-q")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            await Remove(id.Trim());
        if (daemon is { HasExited: false })
        {
            daemon.Kill(); // SIGKILL: the tasks are gone, and nothing of the daemon's state is kept
            await daemon.WaitForExitAsync();
        }
        // Snapshots may still be mounted if a task died oddly; unmount before removing the tree.
        foreach (var line in File.ReadAllLines("/proc/self/mounts").Reverse())
        {
            var target = line.Split(' ')[1];
            if (target.StartsWith(dir, StringComparison.Ordinal)) await Run.Command("umount", "-l", target);
        }
        Directory.Delete(dir, recursive: true);
    }
}
