
using Whereabouts.Stores.FileStore;

namespace Whereabouts.Node;

/// <summary>
/// The agent's socket: its directory 0700 and the socket 0600, both root's (the agent runs as root), so only
/// root (the runtime, the plugin) can connect. A stale socket from an earlier run is removed; anything else
/// at the path is left alone and the agent refuses to start.
/// </summary>

public static class SocketPath
{
    public static void Prepare(string socket)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(socket)) ?? "/";
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Posix.LStat(dir, out var d) != 0 || d.Type != Posix.Dir) throw new IOException($"{dir} is not a directory");
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Posix.LStat(socket, out var s) != 0) return;
        if (s.Type != Posix.Socket) throw new IOException($"{socket} exists and is not a socket: remove it or choose another --socket");
        File.Delete(socket);
    }

    public static void Restrict(string socket) => File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    public static void Remove(string socket)
    {
        if (Posix.LStat(socket, out var s) == 0 && s.Type == Posix.Socket) File.Delete(socket);
    }
}
