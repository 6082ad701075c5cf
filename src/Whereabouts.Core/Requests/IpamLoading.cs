using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Config;
using static LanguageExt.Prelude;

namespace Whereabouts.Core.Requests;

/// <summary>
/// The flat file merged under the inline IPAM object, across the trust boundary (docs/security.md): the admin's
/// flat file (WHEREABOUTS_FLAT_FILE, else the first standard location that exists) says what a
/// NetworkAttachmentDefinition may name (<see cref="AdminPolicy"/>); an inline configuration_path is read only
/// inside the allowed directories, and then is the flat file (its allowed_* keys over the admin file's); every
/// other path and endpoint named inline is checked (<see cref="TrustBoundary"/>) before anything is opened.
/// Unlike upstream, a missing flat file is not an error: a complete inline config needs none.
/// </summary>
public static class IpamLoading
{
    /// <summary>The admin's flat file, instead of the standard locations (set by the runtime, never by a NAD).</summary>
    public const string AdminFlatFileVariable = "WHEREABOUTS_FLAT_FILE";

    /// <summary>The settings, and the named paths the shell must check on the file system before anything opens them.</summary>
    public static Fin<(IpamSettings Settings, ImmutableArray<NamedPath> Named)> Load(IpamDto inline, RawInputs raw) =>
        from admin in AdminFile(raw)
        from adminPolicy in PolicyOf(admin, AdminPolicy.Default)
        from chosen in Chosen(inline, admin, adminPolicy, raw)
        from policy in PolicyOf(chosen, adminPolicy)
        from flat in Dto(chosen)
        from named in TrustBoundary.Check(inline, flat, policy, chosen.Map(c => c.Path).IfNone("(none)"))
        from settings in ConfigParser.ParseIpam(FlatFile.Merge(inline, flat))
        select (settings, named);

    /// <summary>
    /// Where to log a configuration error found before the settings exist: the inline log_file, only when the
    /// admin's policy allows it exactly as <see cref="Load"/> would (a path outside it is never opened, not even
    /// to report that it is refused). None when there is none or it is not allowed.
    /// </summary>
    public static Fin<Option<NamedPath>> ErrorLogFile(IpamDto inline, RawInputs raw)
    {
        var logFile = inline.LogFile;
        if (string.IsNullOrEmpty(logFile) || !logFile.EndsWith(".log", StringComparison.Ordinal)) return Option<NamedPath>.None;
        return from admin in AdminFile(raw)
               from policy in PolicyOf(admin, AdminPolicy.Default)
               from named in TrustBoundary.Inside("log_file", logFile, policy.LogDirs, AdminPolicy.LogDirsKey, "log files", mayBeDir: false)
               select Some(named);
    }

    sealed record Found(string Path, byte[] Bytes);

    static Fin<Option<Found>> AdminFile(RawInputs raw) =>
        FirstFlatFile(raw.Env(AdminFlatFileVariable) is { Length: > 0 } named ? [named] : FlatFile.SearchPaths(""), raw, null);

    /// <summary>The first of <paramref name="paths"/> that exists; asks for them one at a time, so a hit reads no further.</summary>
    static Fin<Option<Found>> FirstFlatFile(ImmutableArray<string> paths, RawInputs raw, NamedPath? linkCheck)
    {
        foreach (var path in paths)
        {
            var read = raw.Read(path, linkCheck);
            if (read.IsFail) return read.Map(_ => Option<Found>.None);
            if (read.ThrowIfFail().Case is byte[] bytes) return Some(new Found(path, bytes));
        }
        return Option<Found>.None;
    }

    /// <summary>The inline configuration_path's file when it is allowed and exists, else the admin's.</summary>
    static Fin<Option<Found>> Chosen(IpamDto inline, Option<Found> admin, AdminPolicy policy, RawInputs raw)
    {
        if (string.IsNullOrEmpty(inline.ConfigurationPath)) return admin;
        if (admin.Exists(a => a.Path == inline.ConfigurationPath)) return admin;
        return from named in TrustBoundary.ConfigurationPath(inline.ConfigurationPath, policy)
               from found in FirstFlatFile([named.Path], raw, named)
               select found.IsSome ? found : admin;
    }

    static Fin<AdminPolicy> PolicyOf(Option<Found> file, AdminPolicy under) =>
        file.Match(f => AdminPolicy.Read(f.Bytes, under, f.Path), () => under);

    static Fin<Option<IpamDto>> Dto(Option<Found> file) =>
        file.Match(
            f => IpamReader.Read(f.Bytes).Match(
                Succ: dto => Fin<Option<IpamDto>>.Succ(dto),
                Fail: e => Errors.InvalidConfig($"flat file {f.Path}: {e.Message}")),
            () => Option<IpamDto>.None);
}
