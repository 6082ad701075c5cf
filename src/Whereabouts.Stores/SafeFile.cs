using System.Runtime.InteropServices;
using Whereabouts.Stores.FileStore;

namespace Whereabouts.Stores;

/// <summary>A file the plugin refuses to use, and why; the message names the path and the reason, never content.</summary>
public sealed class UnsafeFileException(string message) : IOException(message);

/// <summary>
/// How the root plugin touches files a NetworkAttachmentDefinition may have named (docs/security.md): opened
/// with O_NOFOLLOW (a symbolic link at the path is refused, not followed) and O_NONBLOCK (a FIFO cannot make
/// the open hang), then fstat'ed on the descriptor itself, so nothing can be swapped in between: only regular
/// files are read or written, reads are size-capped, and created files and directories get explicit modes
/// (0600, 0700) whatever the umask. Errors never quote the file's content.
/// </summary>
public static class SafeFile
{
    /// <summary>Cap of a config-sized file: the flat file, a kubeconfig and what it references, TLS files, nodename.</summary>
    public const int ConfigLimit = 1 << 20;

    /// <summary>Cap of a stored document of the file datastore (a pool of ~12,000 allocations is ~1.5 MiB).</summary>
    public const int DocumentLimit = 64 << 20;

    public const int DataMode = 0x180; // 0600
    public const int DirectoryMode = 0x1C0; // 0700

    /// <summary>The file's bytes, or null when it or its directory does not exist.</summary>
    public static byte[]? Read(string path, int limit)
    {
        var fd = Posix.Open(path, Posix.ReadOnly | Posix.NoFollow | Posix.NonBlocking | Posix.CloseOnExec, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Posix.ENOENT or Posix.ENOTDIR) return null;
            throw Refused(path, errno);
        }
        try
        {
            var stat = RegularFile(fd, path);
            if (stat.Size > limit) throw TooLarge(path, limit);
            return ReadAll(fd, path, limit);
        }
        finally { Posix.Close(fd); }
    }

    /// <summary>Checks that <paramref name="path"/>, when it exists, is a readable regular file within the cap, for a file another library reads.</summary>
    public static void Check(string path, int limit)
    {
        var fd = Posix.Open(path, Posix.ReadOnly | Posix.NoFollow | Posix.NonBlocking | Posix.CloseOnExec, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Posix.ENOENT or Posix.ENOTDIR) return; // missing: the library reading it says so, naming the key
            throw Refused(path, errno);
        }
        try
        {
            if (RegularFile(fd, path).Size > limit) throw TooLarge(path, limit);
        }
        finally { Posix.Close(fd); }
    }

    /// <summary>A log file, opened to append (created 0600 when missing): a regular file with one name.</summary>
    public static int OpenForAppend(string path) => OpenOrCreate(path, Posix.WriteOnly | Posix.Append, DataMode, requireSingleLink: true);

    /// <summary>
    /// Opens a file to append or lock, creating it with <paramref name="mode"/> when missing; an existing one must
    /// be a regular file (and, for a log, have no other hard link: a link to another file would be written through).
    /// </summary>
    internal static int OpenOrCreate(string path, int access, int mode, bool requireSingleLink)
    {
        var flags = access | Posix.NoFollow | Posix.NonBlocking | Posix.CloseOnExec;
        var created = true;
        var fd = Posix.Open(path, flags | Posix.Create | Posix.Exclusive, mode);
        if (fd < 0 && Marshal.GetLastPInvokeError() == Posix.EEXIST)
        {
            created = false;
            fd = Posix.Open(path, flags, 0);
        }
        if (fd < 0) throw Refused(path, Marshal.GetLastPInvokeError());
        try
        {
            var stat = RegularFile(fd, path);
            if (requireSingleLink && stat.Links > 1)
                throw new UnsafeFileException($"{path} has {stat.Links} hard links; the plugin writes only to a file with one name, so that no other file is written through it");
            if (created) Posix.Fchmod(fd, mode); // the umask narrowed the mode given to open; set it exactly
            return fd;
        }
        catch
        {
            Posix.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// A new file, created exclusively (never an existing file or a link's target) with mode <paramref name="mode"/>;
    /// null when something already has that name.
    /// </summary>
    public static FileStream? CreateNew(string path, int mode)
    {
        var fd = Posix.Open(path, Posix.WriteOnly | Posix.Create | Posix.Exclusive | Posix.NoFollow | Posix.CloseOnExec, mode);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Posix.EEXIST) return null;
            throw Refused(path, errno);
        }
        Posix.Fchmod(fd, mode); // the umask narrowed the mode given to open; set it exactly
        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 4096);
    }

    /// <summary>Removes the name (a link itself, never its target); false when nothing had it.</summary>
    public static bool Remove(string path)
    {
        if (Posix.Unlink(path) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno is Posix.ENOENT ? false : throw new IOException($"cannot remove {path}: {Reason(errno)}");
    }

    /// <summary>Appends all of <paramref name="bytes"/> to an open descriptor.</summary>
    public static unsafe void Append(int fd, ReadOnlySpan<byte> bytes, string path)
    {
        fixed (byte* start = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var n = Posix.Write(fd, start + done, bytes.Length - done);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Posix.EINTR) continue;
                    throw new IOException($"cannot write {path}: {Reason(errno)}");
                }
                done += (int)n;
            }
        }
    }

    /// <summary>
    /// A directory and its missing parents, each new one created 0700 whatever the umask; an existing one must be a
    /// directory, not a symbolic link to one.
    /// </summary>
    public static void CreateDirectory(string path)
    {
        var full = Path.GetFullPath(path);
        var errno = Posix.LStat(full, out var stat);
        if (errno == 0)
        {
            if (stat.Type != Posix.Dir) throw new UnsafeFileException($"{full} is {Describe(stat.Type)}, not a directory");
            return;
        }
        if (errno != Posix.ENOENT) throw Refused(full, errno);
        if (Path.GetDirectoryName(full) is { } parent && parent != full) CreateDirectory(parent);
        if (Posix.Mkdir(full, DirectoryMode) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            if (errno != Posix.EEXIST) throw Refused(full, errno);
            CreateDirectory(full); // created meanwhile: check what it is
            return;
        }
        var fd = Posix.Open(full, Posix.ReadOnly | Posix.Directory | Posix.NoFollow | Posix.CloseOnExec, 0);
        if (fd < 0) throw Refused(full, Marshal.GetLastPInvokeError());
        Posix.Fchmod(fd, DirectoryMode);
        Posix.Close(fd);
    }

    /// <summary>
    /// Refuses a path with a symbolic link among its directories below <paramref name="dir"/> (the allowed directory,
    /// the admin's, whose own path may resolve through links). The final component is left to the open's O_NOFOLLOW.
    /// </summary>
    public static void CheckNoLinksBelow(string dir, string path)
    {
        var at = dir == "/" ? "" : dir;
        var rest = path.Length > at.Length ? path[(at.Length + 1)..] : "";
        var parts = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length - 1; i++)
        {
            at += "/" + parts[i];
            var errno = Posix.LStat(at, out var stat);
            if (errno is Posix.ENOENT or Posix.ENOTDIR) return; // nothing further exists to follow
            if (errno != 0) throw Refused(at, errno);
            if (stat.Type == Posix.Link) throw new UnsafeFileException($"{at} is a symbolic link; the plugin does not follow links below {dir}");
            if (stat.Type != Posix.Dir) return; // the open fails with ENOTDIR
        }
    }

    /// <summary>The file's type, permissions, links and age, without following a link at the path; null when it does not exist.</summary>
    internal static Posix.Stat? LStat(string path) => Posix.LStat(path, out var stat) == 0 ? stat : null;

    static Posix.Stat RegularFile(int fd, string path)
    {
        var errno = Posix.FStat(fd, out var stat);
        if (errno != 0) throw Refused(path, errno);
        if (stat.Type != Posix.Regular) throw new UnsafeFileException($"{path} is {Describe(stat.Type)}, not a regular file; the plugin reads and writes regular files only");
        return stat;
    }

    static unsafe byte[] ReadAll(int fd, string path, int limit)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > limit) throw TooLarge(path, limit);
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit + 1));
            }
            nint n;
            fixed (byte* at = &buffer[length]) n = Posix.Read(fd, at, buffer.Length - length);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Posix.EINTR) continue;
                throw new UnsafeFileException($"cannot read {path}: {Reason(errno)}");
            }
            if (n == 0) break;
            length += (int)n;
            if (length > limit) throw TooLarge(path, limit);
        }
        return buffer.AsSpan(0, length).ToArray();
    }

    static UnsafeFileException TooLarge(string path, int limit) =>
        new($"{path} is larger than {limit / (1 << 20)} MiB, the most the plugin reads of such a file");

    static UnsafeFileException Refused(string path, int errno) => new($"cannot open {path}: {Reason(errno)}");

    static string Reason(int errno) => errno switch
    {
        Posix.ELOOP => "it is a symbolic link, which the plugin does not follow",
        Posix.ENXIO => "it is a FIFO or socket with nothing on the other end, not a regular file",
        Posix.EACCES => "permission denied",
        Posix.ENOENT => "it does not exist",
        Posix.ENOTDIR => "a component of the path is not a directory",
        Posix.EEXIST => "it already exists",
        _ => Marshal.GetPInvokeErrorMessage(errno),
    };

    static string Describe(int type) => type switch
    {
        Posix.Dir => "a directory",
        Posix.Link => "a symbolic link",
        Posix.Fifo => "a FIFO",
        Posix.CharDevice => "a character device",
        Posix.BlockDevice => "a block device",
        Posix.Socket => "a socket",
        _ => "not a regular file",
    };
}
