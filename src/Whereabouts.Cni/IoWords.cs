namespace Whereabouts.Cni;

/// <summary>
/// An I/O failure in our own words and its path: the plugin is built with UseSystemResourceKeys, so the
/// runtime's own message is a resource key ("IO_PathNotFound_Path, /x") rather than a sentence.
/// </summary>
static class IoWords
{
    public static string Of(Exception e)
    {
        var what = e switch
        {
            FileNotFoundException => "no such file",
            DirectoryNotFoundException => "no such directory",
            UnauthorizedAccessException => "permission denied (the plugin runs as root: check the path's owner, mode and mounts, e.g. a read-only file system)",
            PathTooLongException => "the path is too long",
            EndOfStreamException => "the file ended early",
            _ => "the operation failed",
        };
        var path = e is FileNotFoundException { FileName: { Length: > 0 } name } ? name : PathIn(e.Message);
        return path.Length > 0 ? $"{what}: {path}" : what;
    }

    /// <summary>The path a runtime I/O message names: after the resource key ("Key, /path") or in quotes ('/path').</summary>
    static string PathIn(string message)
    {
        var quoted = message.IndexOf('\'');
        if (quoted >= 0 && message.IndexOf('\'', quoted + 1) is var end and > 0) return message[(quoted + 1)..end];
        var comma = message.IndexOf(", ", StringComparison.Ordinal);
        var isKey = comma > 0 && message[..comma].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return isKey ? message[(comma + 2)..] : "";
    }
}
