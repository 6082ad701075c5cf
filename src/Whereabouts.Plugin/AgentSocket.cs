using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Whereabouts.Plugin;

/// <summary>
/// Where the node agent listens, and whether the plugin may believe what answers there. The path comes from the
/// environment alone (the runtime's and the admin's), never from the network configuration, which namespace
/// users write. The path itself, a symlink not followed, must be a socket owned by the plugin's own effective
/// uid: a socket anyone else created could answer ADD with any address.
/// </summary>
static partial class AgentSocket
{
    public const string DefaultPath = "/run/whereabouts/node.sock";

    /// <summary>The socket to forward to; null when forwarding is off (<c>none</c>, empty) or no trusted socket is there.</summary>
    public static string? Trusted()
    {
        var path = Environment.GetEnvironmentVariable("WHEREABOUTS_NODE_SOCKET") ?? DefaultPath;
        return path is not ("" or "none") && IsOwnSocket(path) ? path : null;
    }

    /// <summary>Connected to the agent, or null when nothing answers there (refused, gone since the check).</summary>
    public static Socket? Connect(string path, int timeoutMs)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Bounds connect too: a Unix-socket connect waits on a full backlog for as long as the send timeout.
            socket.SendTimeout = timeoutMs;
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    const int AtCwd = -100, AtSymlinkNoFollow = 0x100, StatxBasic = 0x7ff, TypeMask = 0xF000, SocketFile = 0xC000;

    static unsafe bool IsOwnSocket(string path)
    {
        var buffer = stackalloc byte[256];
        if (Statx(AtCwd, path, AtSymlinkNoFollow, StatxBasic, buffer) != 0) return false;
        // struct statx: stx_uid u32 @20, stx_mode u16 @28 (the same on every architecture).
        var uid = *(uint*)(buffer + 20);
        var mode = *(ushort*)(buffer + 28);
        return (mode & TypeMask) == SocketFile && uid == GetEuid();
    }

    // statx rather than lstat, as Stores' Posix does: its struct is the same on every architecture.
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, int mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
