using System.Runtime.InteropServices;

namespace Whereabouts.Stores.FileStore;

/// <summary>
/// The libc calls the plugin needs and the BCL does not expose: flock on a lock file, blocking or not (the BCL
/// only takes non-blocking advisory locks, as a side effect of FileShare), and open with O_NOFOLLOW/O_EXCL and
/// an fstat of the descriptor (the BCL follows symlinks and has no fstat of a file's type), which
/// <see cref="SafeFile"/> builds on.
/// </summary>
static partial class Posix
{
    public const int LockExclusive = 2;
    public const int LockUnlock = 8;
    public const int LockNonBlocking = 4;

    public const int ReadOnly = 0, WriteOnly = 1, ReadWrite = 2, Create = 0x40, Exclusive = 0x80, Append = 0x400, NonBlocking = 0x800, CloseOnExec = 0x80000;

    // These two differ between architectures (asm-generic, used by arm64, against x86's own values).
    public static readonly int NoFollow = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 0x20000 : 0x8000;
    public static readonly int Directory = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 0x10000 : 0x4000;

    public const int ENOENT = 2, EINTR = 4, ENXIO = 6, EACCES = 13, EEXIST = 17, ENOTDIR = 20, ELOOP = 40;

    const int AtCwd = -100, AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000, StatxBasic = 0x7ff;

    public const int TypeMask = 0xF000, Regular = 0x8000, Dir = 0x4000, Link = 0xA000, Fifo = 0x1000, CharDevice = 0x2000, BlockDevice = 0x6000, Socket = 0xC000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, int mode);

    [LibraryImport("libc", EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mkdir(string path, int mode);

    [LibraryImport("libc", EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Unlink(string path);

    // statx rather than fstat/lstat: its struct is the same on every architecture (glibc 2.28 and later).
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, int mask, byte* buffer);

    /// <summary>What the plugin needs of a stat: type and permission bits, link count, size, modification time.</summary>
    public readonly record struct Stat(int Mode, uint Links, long Size, long ModifiedUnixSeconds)
    {
        public int Type => Mode & TypeMask;
    }

    /// <summary>fstat of an open descriptor; errno on failure.</summary>
    public static unsafe int FStat(int fd, out Stat stat) => StatxAt(fd, "", AtEmptyPath, out stat);

    /// <summary>lstat: the path itself, a symbolic link not followed; errno on failure.</summary>
    public static int LStat(string path, out Stat stat) => StatxAt(AtCwd, path, AtSymlinkNoFollow, out stat);

    static unsafe int StatxAt(int dirfd, string path, int flags, out Stat stat)
    {
        var buffer = stackalloc byte[256];
        if (Statx(dirfd, path, flags, StatxBasic, buffer) != 0)
        {
            stat = default;
            return Marshal.GetLastPInvokeError();
        }
        // struct statx: stx_nlink u32 @16, stx_mode u16 @28, stx_size u64 @40, stx_mtime.tv_sec i64 @112.
        stat = new Stat(*(ushort*)(buffer + 28), *(uint*)(buffer + 16), *(long*)(buffer + 40), *(long*)(buffer + 112));
        return 0;
    }

    /// <summary>The lock file: opened without following a symlink, created 0600 when missing, a regular file.</summary>
    public static int OpenLockFile(string path) => SafeFile.OpenOrCreate(path, ReadWrite, SafeFile.DataMode, requireSingleLink: false);
}
