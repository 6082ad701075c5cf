using System.Runtime.InteropServices;

namespace Whereabouts.Plugin;

/// <summary>
/// Standard output through write(2). A Console stream sets up the terminal and a signal-handling thread on its
/// first write, which a plugin whose stdout is a pipe never needs; a FileStream over fd 1 would pwrite at its
/// own offset when stdout is a file, over whatever else the shell wrote there.
/// </summary>
static partial class Stdout
{
    const int EINTR = 4;

    public static unsafe void Write(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
            for (var written = 0; written < bytes.Length;)
            {
                var n = WriteFd(1, start + written, bytes.Length - written);
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
                if (n <= 0) throw new IOException($"cannot write stdout (errno {Marshal.GetLastPInvokeError()})");
                written += (int)n;
            }
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteFd(int fd, byte* buffer, nint count);
}
