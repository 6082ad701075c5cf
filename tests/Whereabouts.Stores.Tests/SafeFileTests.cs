using System.Diagnostics;
using System.Runtime.Versioning;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.FileStore;
using Xunit;

namespace Whereabouts.Stores.Tests;

/// <summary>
/// How the plugin opens and creates files, on the real file system (docs/security.md): no symbolic link is
/// followed, only regular files are read, reads are capped, and what is created is owner-only. (The same under
/// umask 0 is checked on the real binary, umask being per process: see TrustBoundaryEndToEndTests.)
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SafeFileTests : IDisposable
{
    readonly string dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wb-safefile-" + Guid.NewGuid().ToString("N")[..12])).FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string In(string name) => Path.Combine(dir, name);

    string Victim()
    {
        File.WriteAllText(In("victim"), "precious\n");
        return In("victim");
    }

    static void MkFifo(string path)
    {
        using var p = Process.Start("mkfifo", path)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void AMissingFileReadsAsNullAndARegularOneAsItsBytes()
    {
        Assert.Null(SafeFile.Read(In("missing"), 100));
        Assert.Null(SafeFile.Read(In("missing/below"), 100));
        File.WriteAllText(In("f"), "abc");
        Assert.Equal("abc"u8.ToArray(), SafeFile.Read(In("f"), 100));
    }

    [Fact]
    public void ASymlinkIsNotFollowedAndItsTargetNotQuoted()
    {
        File.CreateSymbolicLink(In("link"), Victim());
        var e = Assert.Throws<UnsafeFileException>(() => SafeFile.Read(In("link"), 100));
        Assert.Equal($"cannot open {In("link")}: it is a symbolic link, which the plugin does not follow", e.Message);
    }

    [Fact]
    public void AFifoADeviceAndADirectoryAreRefusedWithoutBlocking()
    {
        MkFifo(In("fifo"));
        Assert.Contains("is a FIFO, not a regular file", Assert.Throws<UnsafeFileException>(() => SafeFile.Read(In("fifo"), 100)).Message);
        Assert.Contains("is a character device", Assert.Throws<UnsafeFileException>(() => SafeFile.Read("/dev/zero", 100)).Message);
        Assert.Contains("is a directory", Assert.Throws<UnsafeFileException>(() => SafeFile.Read(dir, 100)).Message);
        // Opened for writing (a log): nothing reads the FIFO, and the open says so rather than waiting.
        Assert.Contains("FIFO", Assert.Throws<UnsafeFileException>(() => SafeFile.OpenForAppend(In("fifo"))).Message);
    }

    [Fact]
    public void AFileOverTheCapIsRefused()
    {
        File.WriteAllBytes(In("big"), new byte[101]);
        Assert.Contains("is larger than", Assert.Throws<UnsafeFileException>(() => SafeFile.Read(In("big"), 100)).Message);
        File.WriteAllBytes(In("fits"), new byte[100]);
        Assert.Equal(100, SafeFile.Read(In("fits"), 100)!.Length);
    }

    [Fact]
    public void ALogFileWithAnotherHardLinkIsRefused()
    {
        File.WriteAllText(In("a.log"), "");
        using (var p = Process.Start("ln", [In("a.log"), In("b.log")])) p.WaitForExit();
        Assert.Contains("has 2 hard links", Assert.Throws<UnsafeFileException>(() => SafeFile.OpenForAppend(In("a.log"))).Message);
    }

    [Fact]
    public void ALinkBelowTheAllowedDirectoryIsRefused()
    {
        Directory.CreateDirectory(In("real"));
        File.CreateSymbolicLink(In("sub"), "/etc");
        SafeFile.CheckNoLinksBelow(dir, In("real/x.log"));
        SafeFile.CheckNoLinksBelow(dir, In("missing/deeper/x.log"));
        Assert.Contains($"{In("sub")} is a symbolic link", Assert.Throws<UnsafeFileException>(() => SafeFile.CheckNoLinksBelow(dir, In("sub/x.log"))).Message);
    }

    [Fact]
    public void CreatedFilesAndDirectoriesAreOwnerOnly()
    {
        SafeFile.CreateDirectory(In("a/b"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(In("a")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(In("a/b")));
        using (var s = SafeFile.CreateNew(In("a/b/f"), SafeFile.DataMode)!) s.WriteByte(1);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(In("a/b/f")));
        Assert.Null(SafeFile.CreateNew(In("a/b/f"), SafeFile.DataMode)); // exclusive
    }

    [Fact]
    public void ADirectorySymlinkIsNotTakenForTheStoreDirectory()
    {
        Directory.CreateDirectory(In("elsewhere"));
        File.CreateSymbolicLink(In("store"), In("elsewhere"));
        Assert.Contains("is a symbolic link, not a directory", Assert.Throws<UnsafeFileException>(() => SafeFile.CreateDirectory(In("store"))).Message);
    }

    static readonly Cidr Range = Cidr.Parse("10.20.0.0/24").IfFail(default(Cidr));
    static readonly PoolKey Key = PoolKey.For(Range, "safe");
    static readonly PoolState State = PoolState.Of(Range, [new Allocation(1, new Owner("cid-a", "default/pod-a", "net1"))]);

    [Fact]
    public async Task TheStoreRemovesASymlinkAtItsTemporaryFileInsteadOfWritingThroughIt()
    {
        var store = new FilePoolStore(In("store"));
        var temp = Path.Combine(In("store"), "pools", Key.Name + ".json.tmp");
        File.CreateSymbolicLink(temp, Victim());
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreatePool(Key, State), default));
        Assert.Equal("precious\n", File.ReadAllText(In("victim")));
        Assert.Single((await store.LoadPool(Key, default)).State.Allocations);
        Assert.False(File.Exists(temp));
        Assert.Null(new FileInfo(temp).LinkTarget);
    }

    [Fact]
    public async Task TheStoreReplacesAKilledWritersTemporaryFile()
    {
        var store = new FilePoolStore(In("store"));
        var temp = Path.Combine(In("store"), "pools", Key.Name + ".json.tmp");
        File.WriteAllText(temp, "{\"half");
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreatePool(Key, State), default));
        Assert.False(File.Exists(temp));
        Assert.Single((await store.LoadPool(Key, default)).State.Allocations);
    }

    [Fact]
    public async Task AStoredDocumentThatIsASymlinkIsRefusedNotRead()
    {
        var store = new FilePoolStore(In("store"));
        File.CreateSymbolicLink(Path.Combine(In("store"), "pools", Key.Name + ".json"), Victim());
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.LoadPool(Key, default));
        Assert.Contains("symbolic link", e.Message);
        Assert.DoesNotContain("precious", e.Message);
    }

    [Fact]
    public void OnlyOurOwnTemporaryNamesAreSwept()
    {
        Assert.True(StrayTemps.IsOurs("10.0.0.0-24.json.tmp"));
        Assert.True(StrayTemps.IsOurs("10.0.0.0-24.json.1234.tmp"));
        Assert.False(StrayTemps.IsOurs(".json.tmp"));
        Assert.False(StrayTemps.IsOurs("notes.tmp"));
        Assert.False(StrayTemps.IsOurs("x.json.12a.tmp"));
        Assert.False(StrayTemps.IsOurs("x.json"));
    }

    [Fact]
    public void TheSweepTakesOnlyStaleRegularFiles()
    {
        var now = DateTimeOffset.UtcNow;
        File.WriteAllText(In("old.json.tmp"), "");
        File.SetLastWriteTimeUtc(In("old.json.tmp"), now.UtcDateTime - StrayTemps.MinimumAge - TimeSpan.FromSeconds(5));
        File.WriteAllText(In("fresh.json.tmp"), "");
        File.CreateSymbolicLink(In("link.json.tmp"), Victim());
        var removed = StrayTemps.Sweep(dir, now);
        Assert.Equal([In("old.json.tmp")], removed);
        Assert.True(File.Exists(In("fresh.json.tmp")));
        Assert.Equal("precious\n", File.ReadAllText(In("victim")));
    }
}
