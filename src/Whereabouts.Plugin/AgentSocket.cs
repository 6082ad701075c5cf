using System.Runtime.InteropServices;
using System.Text;

namespace Whereabouts.Plugin;

/// <summary>
/// The node agent's Unix socket, over libc: System.Net.Sockets would first probe the address families and
/// start its event-loop thread, which costs more than the whole exchange with the agent.
/// <para>
/// Where the agent listens comes from the environment alone (the runtime's and the admin's), never from the
/// network configuration, which namespace users write. The path itself, a symlink not followed, must be a socket
/// owned by the plugin's own effective uid: a socket anyone else created could answer ADD with any address.
/// </para>
/// </summary>
sealed partial class AgentSocket : IDisposable
{
    public const string DefaultPath = "/run/whereabouts/node.sock";

    readonly int fd;

    AgentSocket(int fd) => this.fd = fd;

    /// <summary>The socket to forward to; null when forwarding is off (<c>none</c>, empty) or no trusted socket is there.</summary>
    public static string? Trusted()
    {
        var path = Environment.GetEnvironmentVariable("WHEREABOUTS_NODE_SOCKET") ?? DefaultPath;
        return path is not ("" or "none") && IsOwnSocket(path) ? path : null;
    }

    /// <summary>Connected to the agent, or null when nothing answers there (refused, gone since the check).</summary>
    public static unsafe AgentSocket? Connect(string path, int timeoutMs)
    {
        // struct sockaddr_un: sa_family_t (u16) then sun_path[108], NUL-terminated.
        var address = stackalloc byte[110];
        new Span<byte>(address, 110).Clear();
        *(ushort*)address = AfUnix;
        if (Encoding.UTF8.GetByteCount(path) >= 108) return null;
        Encoding.UTF8.GetBytes(path, new Span<byte>(address + 2, 108));
        var fd = Socket(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0) return null;
        var socket = new AgentSocket(fd);
        // Bounds connect: on a full backlog a Unix-socket connect waits for as long as the send timeout.
        var timeout = stackalloc long[2] { timeoutMs / 1000, timeoutMs % 1000 * 1000 };
        if (SetSockOpt(fd, SolSocket, SoSndTimeo, timeout, 16) == 0 && Connect(fd, address, 110) == 0) return socket;
        socket.Dispose();
        return null;
    }

    /// <summary>All of <paramref name="bytes"/> sent; false when the agent went away.</summary>
    public unsafe bool Send(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
            for (var sent = 0; sent < bytes.Length;)
            {
                // MSG_NOSIGNAL: an agent that closed early is an error to handle, not a SIGPIPE.
                var n = Send(fd, start + sent, bytes.Length - sent, MsgNoSignal);
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                if (n <= 0) return false;
                sent += (int)n;
            }
        return true;
    }

    /// <summary>Bytes read into <paramref name="buffer"/>, 0 when the agent closed; -1 on an error or when nothing came before the deadline.</summary>
    public unsafe int Receive(Span<byte> buffer, long deadlineTicks)
    {
        var poll = new PollFd { Fd = fd, Events = PollIn };
        while (true)
        {
            var wait = deadlineTicks - Environment.TickCount64;
            if (wait <= 0) return -1;
            var ready = Poll(&poll, 1, (int)Math.Min(wait, int.MaxValue));
            if (ready == 0 || (ready < 0 && Marshal.GetLastPInvokeError() == EINTR)) continue;
            if (ready < 0) return -1;
            fixed (byte* start = buffer)
            {
                var n = Read(fd, start, buffer.Length);
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                return (int)n;
            }
        }
    }

    public void Dispose() => Close(fd);

    static unsafe bool IsOwnSocket(string path)
    {
        var buffer = stackalloc byte[256];
        if (Statx(AtCwd, path, AtSymlinkNoFollow, StatxBasic, buffer) != 0) return false;
        // struct statx: stx_uid u32 @20, stx_mode u16 @28 (the same on every architecture).
        var uid = *(uint*)(buffer + 20);
        var mode = *(ushort*)(buffer + 28);
        return (mode & TypeMask) == SocketFile && uid == GetEuid();
    }

    // The same values on x86-64 and arm64.
    const ushort AfUnix = 1;
    const short PollIn = 1;
    const int SockStream = 1, SockCloexec = 0x80000, SolSocket = 1, SoSndTimeo = 21, MsgNoSignal = 0x4000, EINTR = 4;
    const int AtCwd = -100, AtSymlinkNoFollow = 0x100, StatxBasic = 0x7ff, TypeMask = 0xF000, SocketFile = 0xC000;

    // statx rather than lstat, as Stores' Posix does: its struct is the same on every architecture.
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, int mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static unsafe partial int Connect(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint Send(int fd, byte* buffer, nint length, int flags);

    struct PollFd
    {
        public int Fd;
        public short Events, Returned;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
