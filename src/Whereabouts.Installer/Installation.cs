namespace Whereabouts.Installer;

/// <summary>
/// What the installer puts on the node and takes away again: the plugin binary, and in whereabouts.d the
/// kubeconfig (0600: it holds a token), the flat file and the nodename file. Every step is idempotent.
/// </summary>
public sealed class Installation(InstallerOptions options, TextWriter log)
{
    const UnixFileMode Executable = (UnixFileMode)0x1ED;  // 0755
    const UnixFileMode Readable = (UnixFileMode)0x1A4;    // 0644
    const UnixFileMode Secret = (UnixFileMode)0x180;      // 0600

    public void Install()
    {
        Directory.CreateDirectory(options.CniBinDir);
        Report(AtomicFile.Write(options.PluginTarget, File.ReadAllBytes(options.PluginSource), Executable), options.PluginTarget);
        Directory.CreateDirectory(options.ConfigDir);
        RefreshKubeconfig();
        Report(AtomicFile.Write(options.FlatFilePath, NodeFiles.FlatFile(options.HostConfigDir, options.HostKubeconfigPath), Readable), options.FlatFilePath);
        if (options.NodeName.Length > 0)
            Report(AtomicFile.Write(options.NodeNamePath, NodeFiles.NodeName(options.NodeName), Readable), options.NodeNamePath);
        else
            log.WriteLine("whereabouts-install: NODENAME is not set: no nodename file (node-slice mode then falls back to /etc/hostname)");
    }

    /// <summary>Rewrites the kubeconfig when the service account's token, CA or namespace changed; true when it did.</summary>
    public bool RefreshKubeconfig()
    {
        var content = NodeFiles.Kubeconfig(ServiceAccount.Read(options.ServiceAccountDir, options.Namespace), options.ApiHost, options.ApiPort);
        var wrote = AtomicFile.Write(options.KubeconfigPath, content, Secret);
        Report(wrote, options.KubeconfigPath);
        return wrote;
    }

    /// <summary>Keeps the kubeconfig in step with the projected token, which the kubelet rotates, until cancelled.</summary>
    public async Task WatchAsync(CancellationToken cancel)
    {
        log.WriteLine($"whereabouts-install: watching {options.ServiceAccountDir}/token every {options.PollInterval.TotalSeconds:0} s");
        using var timer = new PeriodicTimer(options.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancel))
            {
                try
                {
                    RefreshKubeconfig();
                }
                catch (IOException e)
                {
                    // The kubelet swaps the projected files by symlink; a read between two steps is retried next tick.
                    log.WriteLine($"whereabouts-install: {e.Message}; retrying");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Removes what <see cref="Install"/> wrote, and nothing else: the binary and the flat file only while they are still ours.</summary>
    public void Uninstall()
    {
        if (File.Exists(options.PluginSource))
            RemoveIf(options.PluginTarget, t => AtomicFile.HoldsExactly(t, File.ReadAllBytes(options.PluginSource), Executable));
        RemoveIf(options.KubeconfigPath, t => File.ReadLines(t).FirstOrDefault() == NodeFiles.KubeconfigHeader);
        RemoveIf(options.FlatFilePath, t => AtomicFile.HoldsExactly(t, NodeFiles.FlatFile(options.HostConfigDir, options.HostKubeconfigPath), Readable));
        if (options.NodeName.Length > 0)
            RemoveIf(options.NodeNamePath, t => AtomicFile.HoldsExactly(t, NodeFiles.NodeName(options.NodeName), Readable));
        if (Directory.Exists(options.ConfigDir) && !Directory.EnumerateFileSystemEntries(options.ConfigDir).Any())
        {
            Directory.Delete(options.ConfigDir);
            log.WriteLine($"whereabouts-install: removed {options.ConfigDir}");
        }
    }

    void RemoveIf(string path, Func<string, bool> ours)
    {
        if (!File.Exists(path)) return;
        if (!ours(path))
        {
            log.WriteLine($"whereabouts-install: kept {path}: not what this installer wrote");
            return;
        }
        File.Delete(path);
        log.WriteLine($"whereabouts-install: removed {path}");
    }

    void Report(bool wrote, string path) => log.WriteLine($"whereabouts-install: {path} {(wrote ? "written" : "up to date")}");
}
