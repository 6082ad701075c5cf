using System.Runtime.InteropServices;

namespace Whereabouts.Stores.FileStore;

/// <summary>
/// The libc calls the file store needs and the BCL does not expose: flock on a lock file, blocking or not (the
/// BCL only takes non-blocking advisory locks, as a side effect of FileShare).
/// </summary>
static partial class Posix
{
    public const int LockExclusive = 2;
    public const int LockUnlock = 8;
    public const int LockNonBlocking = 4;
    const int ReadWrite = 2, Create = 0x40, CloseOnExec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    public static int OpenLockFile(string path) => Check(Open(path, ReadWrite | Create | CloseOnExec, 0x180), path);

    static int Check(int fd, string path) =>
        fd >= 0 ? fd : throw new IOException($"cannot open {path}: {Marshal.GetLastPInvokeErrorMessage()}");
}
