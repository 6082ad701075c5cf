using System.Runtime.InteropServices;

namespace Whereabouts.Installer;

/// <summary>
/// Replaces a file so that no reader ever sees it half-written: the bytes go to a temporary file in the same
/// directory (same file system, so rename is atomic), created with its final mode, fsynced, then renamed over
/// the target and the directory fsynced. Renaming over a running executable is safe: the old inode lives on
/// for the processes that have it open, where writing into it would fail with ETXTBSY.
/// </summary>
static partial class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> unless the file already holds exactly that; true when it wrote.</summary>
    public static bool Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        if (HoldsExactly(path, content, mode)) return false;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode,
                   }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            // The umask may have narrowed the create mode.
            File.SetUnixFileMode(temp, mode);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        SyncDirectory(dir);
        return true;
    }

    /// <summary>Whether <paramref name="path"/> is a regular file with this content and mode.</summary>
    public static bool HoldsExactly(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null || info.Length != content.Length || info.UnixFileMode != mode) return false;
        return File.ReadAllBytes(path).AsSpan().SequenceEqual(content);
    }

    /// <summary>The rename is durable only once the directory entry is on disk.</summary>
    static void SyncDirectory(string dir)
    {
        var fd = Open(dir, ORdOnly | ODirectory | OCloexec);
        if (fd < 0) return;
        _ = Fsync(fd);
        _ = Close(fd);
    }

    const int ORdOnly = 0, ODirectory = 0x10000, OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
