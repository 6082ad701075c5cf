using Whereabouts.Core.Config;
using Whereabouts.Core.Requests;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>
/// The node's file system as request resolution sees it. As every file the plugin reads: no symbolic link
/// followed, a regular file, at most 1 MiB, never quoted (<see cref="SafeFile"/>).
/// </summary>
public static class LocalFiles
{
    /// <summary>The real file system: null when the file does not exist; an IOException when it is refused.</summary>
    public static byte[]? ReadIfExists(string path) => SafeFile.Read(path, SafeFile.ConfigLimit);

    /// <summary>A wanted file through <paramref name="readFile"/>, after its link check when it has one.</summary>
    public static FileRead Read(Func<string, byte[]?> readFile, string path, NamedPath? linkCheck)
    {
        if (linkCheck is not null && LinkProblem(linkCheck) is { } why) return new FileRead.Refused(why);
        try
        {
            return readFile(path) is { } bytes ? new FileRead.Found(bytes) : new FileRead.Missing();
        }
        catch (IOException e)
        {
            return new FileRead.Refused(e.Message);
        }
    }

    /// <summary>A path the NAD named may not pass through a symbolic link below its allowed directory.</summary>
    public static string? LinkProblem(NamedPath named)
    {
        try
        {
            SafeFile.CheckNoLinksBelow(named.AllowedDir, named.Path);
            return null;
        }
        catch (IOException e)
        {
            return $"{named.Key} \"{named.Path}\" is not allowed: {e.Message}";
        }
    }

    /// <summary>As upstream, the log file is opened (and created) with the config, so a bad one is a config error at once.</summary>
    public static string? LogFileProblem(string logFile) =>
        logFile.Length > 0 && Log.Refusal(logFile) is { } why ? $"log_file cannot be used: {why}" : null;
}
