using System.Runtime.InteropServices;

namespace Whereabouts.Stores.FileStore;

/// <summary>
/// The three libc calls the file store needs and the BCL does not expose: a blocking flock (the BCL only
/// takes non-blocking advisory locks, as a side effect of FileShare), and fsync of a directory (so a rename
/// survives a power cut).
/// </summary>
static partial class Posix
{
    public const int LockExclusive = 2;
    public const int LockUnlock = 8;
    public const int LockNonBlocking = 4;
    const int ReadOnly = 0, ReadWrite = 2, Create = 0x40, Directory = 0x10000, CloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    public static int OpenLockFile(string path) => Check(Open(path, ReadWrite | Create | CloseOnExec, 0x180), path);

    public static void FsyncDirectory(string path)
    {
        var fd = Check(Open(path, ReadOnly | Directory | CloseOnExec, 0), path);
        try { Fsync(fd); } finally { Close(fd); }
    }

    static int Check(int fd, string path) =>
        fd >= 0 ? fd : throw new IOException($"cannot open {path}: {Marshal.GetLastPInvokeErrorMessage()}");
}
