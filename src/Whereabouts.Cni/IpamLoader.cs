using System.Text;
using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Core.Config;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>
/// Reads the flat file and merges it under the inline IPAM object, across the trust boundary (docs/security.md):
/// the admin's flat file (the first of the standard locations that exists, or WHEREABOUTS_FLAT_FILE) says what a
/// NetworkAttachmentDefinition may name (<see cref="AdminPolicy"/>); an inline configuration_path is read only
/// inside the allowed directories, and then is the flat file (its allowed_* keys over the admin file's); every
/// other path and endpoint named inline is checked (<see cref="TrustBoundary"/>) before anything is opened.
/// Unlike upstream, a missing flat file is not an error: a complete inline config needs none.
/// </summary>
public static class IpamLoader
{
    /// <summary>The admin's flat file, instead of the standard locations (set by the runtime, never by a NAD).</summary>
    public const string AdminFlatFileVariable = "WHEREABOUTS_FLAT_FILE";

    public static Fin<IpamSettings> Load(NetworkConfig network, Func<string, string?> readFile) =>
        Load(network, readFile, Environment.GetEnvironmentVariable(AdminFlatFileVariable));

    public static Fin<IpamSettings> Load(NetworkConfig network, Func<string, string?> readFile, string? adminFlatFile)
    {
        try
        {
            return from admin in AdminFile(adminFlatFile, readFile)
                   from adminPolicy in PolicyOf(admin, AdminPolicy.Default)
                   from chosen in Chosen(network.Ipam, admin, adminPolicy, readFile)
                   from policy in PolicyOf(chosen, adminPolicy)
                   from flat in Dto(chosen)
                   from named in TrustBoundary.Check(network.Ipam, flat, policy, chosen.Map(c => c.Path).IfNone("(none)"))
                   from _ in NoLinksBelow(named)
                   from settings in ConfigParser.ParseIpam(FlatFile.Merge(network.Ipam, flat))
                   from __ in LogFileUsable(settings.LogFile)
                   select settings;
        }
        catch (StoreUnavailableException e)
        {
            return Core.Errors.InvalidConfig(e.Message);
        }
    }

    /// <summary>
    /// Where to log a configuration error found before the settings exist: the inline log_file, only when the
    /// admin's policy allows it exactly as <see cref="Load"/> would (a path outside it is never opened, not even
    /// to report that it is refused). Null when there is none or it is not allowed.
    /// </summary>
    public static string? ErrorLogFile(NetworkConfig network, Func<string, string?> readFile)
    {
        var logFile = network.Ipam.LogFile;
        if (string.IsNullOrEmpty(logFile) || !logFile.EndsWith(".log", StringComparison.Ordinal)) return null;
        try
        {
            var allowed = from admin in AdminFile(Environment.GetEnvironmentVariable(AdminFlatFileVariable), readFile)
                          from policy in PolicyOf(admin, AdminPolicy.Default)
                          from named in TrustBoundary.Inside("log_file", logFile, policy.LogDirs, AdminPolicy.LogDirsKey, "log files", mayBeDir: false)
                          from _ in NoLinksBelow([named])
                          from __ in LogFileUsable(logFile)
                          select logFile;
            return allowed.Match(Succ: f => f, Fail: _ => (string?)null);
        }
        catch (StoreUnavailableException)
        {
            return null;
        }
    }

    sealed record Found(string Path, byte[] Bytes);

    /// <summary>The admin's flat file: the one WHEREABOUTS_FLAT_FILE names, else the first standard location that exists.</summary>
    static Fin<Option<Found>> AdminFile(string? named, Func<string, string?> readFile) =>
        FirstFlatFile(named is { Length: > 0 } ? [named] : FlatFile.SearchPaths(""), readFile);

    static Fin<Option<Found>> FirstFlatFile(IEnumerable<string> paths, Func<string, string?> readFile)
    {
        foreach (var path in paths)
            if (readFile(path) is { } text) return Option<Found>.Some(new Found(path, Encoding.UTF8.GetBytes(text)));
        return Option<Found>.None;
    }

    /// <summary>The inline configuration_path's file when it is allowed and exists, else the admin's.</summary>
    static Fin<Option<Found>> Chosen(IpamDto inline, Option<Found> admin, AdminPolicy policy, Func<string, string?> readFile)
    {
        if (string.IsNullOrEmpty(inline.ConfigurationPath)) return admin;
        if (admin.Exists(a => a.Path == inline.ConfigurationPath)) return admin;
        return from named in TrustBoundary.ConfigurationPath(inline.ConfigurationPath, policy)
               from _ in NoLinksBelow([named])
               from found in FirstFlatFile([named.Path], readFile)
               select found.IsSome ? found : admin;
    }

    static Fin<AdminPolicy> PolicyOf(Option<Found> file, AdminPolicy under) =>
        file.Match(f => AdminPolicy.Read(f.Bytes, under, f.Path), () => under);

    static Fin<Option<IpamDto>> Dto(Option<Found> file) =>
        file.Match(
            f => IpamReader.Read(f.Bytes).Match(
                Succ: dto => Fin<Option<IpamDto>>.Succ(dto),
                Fail: e => Core.Errors.InvalidConfig($"flat file {f.Path}: {e.Message}")),
            () => Option<IpamDto>.None);

    /// <summary>A path the NAD named may not pass through a symbolic link below its allowed directory.</summary>
    static Fin<Unit> NoLinksBelow(IEnumerable<NamedPath> named)
    {
        foreach (var n in named)
        {
            try { SafeFile.CheckNoLinksBelow(n.AllowedDir, n.Path); }
            catch (IOException e) { return Core.Errors.InvalidConfig($"{n.Key} \"{n.Path}\" is not allowed: {e.Message}"); }
        }
        return Unit.Default;
    }

    /// <summary>As upstream, the log file is opened (and created) with the config, so a bad one is a config error at once.</summary>
    static Fin<Unit> LogFileUsable(string logFile) =>
        logFile.Length == 0 || Log.Refusal(logFile) is not { } why
            ? Unit.Default
            : Core.Errors.InvalidConfig($"log_file cannot be used: {why}");

    /// <summary>
    /// The real file system: null when the file does not exist. As every file the plugin reads: no symbolic link
    /// followed, a regular file, at most 1 MiB, never quoted (<see cref="SafeFile"/>).
    /// </summary>
    public static string? ReadIfExists(string path)
    {
        try { return SafeFile.Read(path, SafeFile.ConfigLimit) is { } bytes ? Encoding.UTF8.GetString(bytes) : null; }
        catch (IOException e) { throw new StoreUnavailableException(e.Message, transient: false, e); }
    }
}
