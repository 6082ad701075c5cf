using System.Text;
using System.Text.Json.Nodes;

namespace Whereabouts.Installer.Tests;

public sealed class InstallationTests : IDisposable
{
    const UnixFileMode Executable = (UnixFileMode)0x1ED, Readable = (UnixFileMode)0x1A4, Secret = (UnixFileMode)0x180;
    readonly NodeDirs node = new();
    readonly StringWriter log = new();

    Installation Installer(InstallerOptions? options = null) => new(options ?? node.Options(), log);
    string Target => Path.Combine(node.CniBin, "whereabouts");
    string Kubeconfig => Path.Combine(node.ConfigDir, "whereabouts.kubeconfig");
    string FlatFile => Path.Combine(node.ConfigDir, "whereabouts.conf");
    string NodeName => Path.Combine(node.ConfigDir, "nodename");

    [Fact]
    public void InstallPutsEachFileInPlaceWithItsMode()
    {
        Installer().Install();
        Assert.Equal(File.ReadAllBytes(node.Plugin), File.ReadAllBytes(Target));
        Assert.Equal(Executable, NodeDirs.Mode(Target));
        Assert.Equal(Secret, NodeDirs.Mode(Kubeconfig));
        Assert.Equal(Readable, NodeDirs.Mode(FlatFile));
        Assert.Equal(Readable, NodeDirs.Mode(NodeName));
        Assert.Equal("node-1\n", File.ReadAllText(NodeName));
        // Nothing half-written is left beside them.
        Assert.Empty(Directory.GetFiles(node.CniBin, ".*"));
        Assert.Empty(Directory.GetFiles(node.ConfigDir, ".*"));
    }

    [Fact]
    public void TheFlatFileNamesTheKubeconfigByItsHostPath()
    {
        Installer().Install();
        var flat = JsonNode.Parse(File.ReadAllText(FlatFile))!;
        Assert.Equal("kubernetes", (string)flat["datastore"]!);
        Assert.Equal("/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig", (string)flat["kubernetes"]!["kubeconfig"]!);
        Assert.Equal("/etc/cni/net.d/whereabouts.d", (string)flat["configuration_path"]!);
    }

    [Fact]
    public void ASecondInstallWritesNothing()
    {
        Installer().Install();
        var before = new[] { Target, Kubeconfig, FlatFile, NodeName }.Select(Inode).ToList();
        log.GetStringBuilder().Clear();
        Installer().Install();
        Assert.Equal(before, new[] { Target, Kubeconfig, FlatFile, NodeName }.Select(Inode).ToList());
        Assert.DoesNotContain(" written", log.ToString());
    }

    [Fact]
    public void AFileWithTheRightBytesButAWrongModeIsRewritten()
    {
        Installer().Install();
        File.SetUnixFileMode(Kubeconfig, (UnixFileMode)0x1A4);
        Installer().Install();
        Assert.Equal(Secret, NodeDirs.Mode(Kubeconfig));
    }

    [Fact]
    public void ABinaryInUseIsReplacedByRenameSoItsRunnersKeepTheOldOne()
    {
        Directory.CreateDirectory(node.CniBin);
        File.WriteAllText(Target, "old plugin, running");
        using var running = new FileStream(Target, FileMode.Open, FileAccess.Read);
        var oldInode = Inode(Target);
        Installer().Install();
        Assert.NotEqual(oldInode, Inode(Target));
        Assert.Equal(File.ReadAllBytes(node.Plugin), File.ReadAllBytes(Target));
        using var reader = new StreamReader(running);
        Assert.Equal("old plugin, running", reader.ReadToEnd());
    }

    [Fact]
    public void ASymlinkAtTheTargetIsReplacedNotFollowed()
    {
        Directory.CreateDirectory(node.CniBin);
        var elsewhere = Path.Combine(node.Root, "elsewhere");
        File.WriteAllText(elsewhere, "not ours to write");
        File.CreateSymbolicLink(Target, elsewhere);
        Installer().Install();
        Assert.Equal("not ours to write", File.ReadAllText(elsewhere));
        Assert.Null(new FileInfo(Target).LinkTarget);
        Assert.Equal(File.ReadAllBytes(node.Plugin), File.ReadAllBytes(Target));
    }

    [Fact]
    public void WithoutANodeNameNoNodenameFileIsWrittenAndTheLogSaysWhy()
    {
        Installer(node.Options(nodeName: "")).Install();
        Assert.False(File.Exists(NodeName));
        Assert.Contains("NODENAME is not set", log.ToString());
    }

    [Fact]
    public void UninstallRemovesWhatItWroteAndTheEmptyDirectory()
    {
        Installer().Install();
        Installer().Uninstall();
        Assert.False(File.Exists(Target));
        Assert.False(Directory.Exists(node.ConfigDir));
        Assert.True(Directory.Exists(node.CniBin));
        Installer().Uninstall(); // twice is fine
    }

    [Fact]
    public void UninstallKeepsWhatIsNoLongerOurs()
    {
        Installer().Install();
        File.WriteAllText(Target, "another plugin build");           // e.g. upstream's DaemonSet took over
        File.WriteAllText(FlatFile, "{\"datastore\":\"etcd\"}");     // the admin's own flat file
        File.WriteAllText(Path.Combine(node.ConfigDir, "admin-notes"), "keep");
        Installer().Uninstall();
        Assert.Equal("another plugin build", File.ReadAllText(Target));
        Assert.Equal("{\"datastore\":\"etcd\"}", File.ReadAllText(FlatFile));
        Assert.False(File.Exists(Kubeconfig));
        Assert.False(File.Exists(NodeName));
        Assert.Contains("kept " + Target, log.ToString());
    }

    [Fact]
    public void AMissingTokenIsAnErrorAndLeavesNoKubeconfig()
    {
        node.Rotate("", "ca", "kube-system");
        var error = Assert.Throws<InvalidDataException>(() => Installer().Install());
        Assert.Contains("token", error.Message);
        Assert.False(File.Exists(Kubeconfig));
    }

    [Fact]
    public void ARotatedTokenRewritesTheKubeconfigAndOnlyThen()
    {
        var installer = Installer();
        installer.Install();
        Assert.False(installer.RefreshKubeconfig());
        node.Rotate("token-2", NodeDirs.SomeCa, "kube-system");
        Assert.True(installer.RefreshKubeconfig());
        Assert.Contains("\"token-2\"", File.ReadAllText(Kubeconfig));
        Assert.Equal(Secret, NodeDirs.Mode(Kubeconfig));
    }

    [Fact]
    public async Task WatchFollowsTheTokenUntilCancelled()
    {
        var options = node.Options() with { PollInterval = TimeSpan.FromMilliseconds(50) };
        var installer = Installer(options);
        installer.Install();
        using var stop = new CancellationTokenSource();
        var watching = installer.WatchAsync(stop.Token);
        node.Rotate("token-rotated", NodeDirs.SomeCa, "kube-system");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.ReadAllText(Kubeconfig).Contains("token-rotated") && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Contains("\"token-rotated\"", File.ReadAllText(Kubeconfig));
        await stop.CancelAsync();
        await watching.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>The file's inode number (stat(1)): a rename gives a new one, a rewrite in place would not.</summary>
    static long Inode(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["--format=%i", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => node.Dispose();
}
