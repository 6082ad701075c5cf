using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;

namespace Whereabouts.Core.Config;

/// <summary>A path the NetworkAttachmentDefinition named, and the allowed directory it was found inside.</summary>
/// <remarks>The shell makes sure no component below <paramref name="AllowedDir"/> is a symbolic link.</remarks>
public sealed record NamedPath(string Key, string Path, string AllowedDir);

/// <summary>
/// The trust boundary between a NetworkAttachmentDefinition's author (a namespace user, writing the inline IPAM
/// object) and the node (the root plugin, and the flat file its admin owns). Pure decisions on the inline and
/// flat-file values before they are merged: a value set inline came from the NAD (the merge takes the inline
/// value whenever it is set), a value only in the flat file came from the admin.
/// <list type="bullet">
/// <item>A path the NAD names (configuration_path, log_file, kubernetes.kubeconfig, file.dir, etcd TLS files)
/// must be inside one of the admin's allowed directories (<see cref="AdminPolicy"/>).</item>
/// <item>An etcd endpoint the NAD names must be one the admin allows.</item>
/// <item>The flat file's etcd credentials go only to the flat file's own endpoint: when the NAD names another
/// etcd_host or etcd_ca_cert_file while a credential would come from the flat file, the request is refused
/// (rather than made without the credentials, which would fail later with a less useful message).</item>
/// </list>
/// Every refusal is a config error (code 7) naming the key, the NAD's value and the flat-file key the admin
/// would change; no secret and no file content is ever part of it.
/// </summary>
public static class TrustBoundary
{
    /// <summary>An inline configuration_path, checked before the file is read.</summary>
    public static Fin<NamedPath> ConfigurationPath(string path, AdminPolicy policy) =>
        Inside("configuration_path", path, policy.ConfigurationDirs, AdminPolicy.ConfigurationDirsKey, "flat files", mayBeDir: false);

    /// <summary>
    /// Every path and endpoint the inline object names, and the etcd credential rule. On success, the inline paths
    /// with the allowed directory each is in (for the shell's no-symlink walk).
    /// </summary>
    public static Fin<ImmutableArray<NamedPath>> Check(IpamDto inline, Option<IpamDto> flat, AdminPolicy policy, string flatPath)
    {
        var named = ImmutableArray.CreateBuilder<NamedPath>();
        var problems = new List<string>();
        void Take(Fin<NamedPath> checkedPath) => checkedPath.Match(Succ: named.Add, Fail: e => problems.Add(e.Message));
        void Path(string key, string? value, ImmutableArray<string> dirs, string policyKey, string what, bool mayBeDir = false)
        {
            if (!string.IsNullOrEmpty(value)) Take(Inside(key, value, dirs, policyKey, what, mayBeDir));
        }

        Path("log_file", inline.LogFile, policy.LogDirs, AdminPolicy.LogDirsKey, "log files");
        if (!string.IsNullOrEmpty(inline.LogFile) && !inline.LogFile.EndsWith(".log", StringComparison.Ordinal))
            problems.Add($"log_file \"{inline.LogFile}\" is not allowed: a log file a NetworkAttachmentDefinition names must end in \".log\", so that no other file of the node can be appended to");
        Path("kubernetes.kubeconfig", inline.Kubernetes?.Kubeconfig, policy.KubeconfigDirs, AdminPolicy.KubeconfigDirsKey, "kubeconfig files");
        Path("file.dir", inline.File?.Dir, policy.FileStoreDirs, AdminPolicy.FileStoreDirsKey, "file datastore directories", mayBeDir: true);
        Path("etcd_cert_file", inline.EtcdCertFile, policy.EtcdTlsDirs, AdminPolicy.EtcdTlsDirsKey, "etcd TLS files");
        Path("etcd_key_file", inline.EtcdKeyFile, policy.EtcdTlsDirs, AdminPolicy.EtcdTlsDirsKey, "etcd TLS files");
        Path("etcd_ca_cert_file", inline.EtcdCaCertFile, policy.EtcdTlsDirs, AdminPolicy.EtcdTlsDirsKey, "etcd TLS files");
        // The flat file's own endpoint, repeated inline, is the admin's choice already.
        if (!string.IsNullOrEmpty(inline.EtcdHost) && !flat.Exists(f => SameEndpoints(inline.EtcdHost, f.EtcdHost ?? "")))
            problems.AddRange(Hosts(inline.EtcdHost, policy.EtcdHosts));
        var flatDto = flat.Case as IpamDto;
        if (Or(inline.Datastore, flatDto?.Datastore) == "etcd" && flatDto is not null) problems.AddRange(Credentials(inline, flatDto, flatPath));

        return problems.Count == 0
            ? named.ToImmutable()
            : Errors.InvalidConfig($"the network configuration names what the node does not allow: {string.Join("; ", problems)}");
    }

    /// <summary>
    /// The flat file's credentials (username, password, client certificate and key) travel only with the flat
    /// file's endpoint and trust (etcd_host, etcd_ca_cert_file): an inline value for either that differs from the
    /// flat file's, while any credential comes from the flat file, would send that credential elsewhere.
    /// </summary>
    static IEnumerable<string> Credentials(IpamDto inline, IpamDto flat, string flatPath)
    {
        var fromFlat = new (string Key, string? Inline, string? Flat)[]
            {
                ("etcd_username", inline.EtcdUsername, flat.EtcdUsername),
                ("etcd_password", inline.EtcdPassword, flat.EtcdPassword),
                ("etcd_cert_file", inline.EtcdCertFile, flat.EtcdCertFile),
                ("etcd_key_file", inline.EtcdKeyFile, flat.EtcdKeyFile),
            }
            .Where(c => string.IsNullOrEmpty(c.Inline) && !string.IsNullOrEmpty(c.Flat)).Select(c => c.Key).ToList();
        if (fromFlat.Count == 0) yield break;
        var credentials = string.Join(", ", fromFlat);
        if (!string.IsNullOrEmpty(inline.EtcdHost) && !SameEndpoints(inline.EtcdHost, flat.EtcdHost ?? ""))
            yield return $"etcd_host \"{Redaction.Urls(inline.EtcdHost)}\" is set in the network configuration while {credentials} come from the flat file {flatPath}, "
                + "and the flat file's credentials are sent only to its own etcd_host: remove etcd_host from the NetworkAttachmentDefinition, "
                + "or give it its own credentials"
                + (string.IsNullOrEmpty(flat.EtcdHost) ? $", or (node admin) set etcd_host in {flatPath} beside the credentials" : "");
        if (!string.IsNullOrEmpty(inline.EtcdCaCertFile) && inline.EtcdCaCertFile != (flat.EtcdCaCertFile ?? ""))
            yield return $"etcd_ca_cert_file \"{inline.EtcdCaCertFile}\" is set in the network configuration while {credentials} come from the flat file {flatPath}, "
                + "and the flat file's credentials are sent only to a server its own trust accepts: remove etcd_ca_cert_file from the NetworkAttachmentDefinition, "
                + "or give it its own credentials";
    }

    static IEnumerable<string> Hosts(string list, ImmutableArray<string> allowed)
    {
        if (allowed.Contains(AdminPolicy.AnyHost)) yield break;
        var permitted = allowed.Select(Endpoint).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in list.Split(',').Select(e => e.Trim()).Where(e => e.Length > 0))
            if (!permitted.Contains(Endpoint(entry)))
                yield return $"etcd_host entry \"{Redaction.Url(entry)}\" is not allowed: a NetworkAttachmentDefinition may name only "
                    + (allowed.IsEmpty ? "no etcd endpoint" : "the etcd endpoints " + string.Join(", ", allowed.Select(Redaction.Url)))
                    + $"; the node's admin can allow it with {AdminPolicy.EtcdHostsKey} in the flat file";
    }

    static bool SameEndpoints(string a, string b) =>
        a.Split(',').Select(Endpoint).Where(e => e.Length > 0).ToHashSet(StringComparer.Ordinal)
            .SetEquals(b.Split(',').Select(Endpoint).Where(e => e.Length > 0));

    /// <summary>An endpoint compared as text: lower case, without scheme or trailing slash, with etcd's port 2379 when none is given.</summary>
    public static string Endpoint(string text)
    {
        var e = text.Trim().ToLowerInvariant();
        var scheme = e.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) e = e[(scheme + 3)..];
        e = e.TrimEnd('/');
        if (e.Length == 0) return "";
        var colon = e.LastIndexOf(':');
        return colon > e.LastIndexOf(']') ? e : e + ":2379";
    }

    /// <summary>
    /// The allowed directory <paramref name="path"/> is inside (strictly below it; or the directory itself when a
    /// directory is named), compared as text on a clean absolute path, so ".." cannot climb out.
    /// </summary>
    public static Fin<NamedPath> Inside(string key, string path, ImmutableArray<string> dirs, string policyKey, string what, bool mayBeDir)
    {
        if (!AdminPolicy.IsCleanAbsolute(path))
            return Errors.InvalidConfig($"{key} \"{path}\" is not allowed: a NetworkAttachmentDefinition must name an absolute path without \".\" or \"..\" components");
        var clean = path.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/"; // "//" is the root, as the kernel reads it
        foreach (var dir in dirs)
            if ((mayBeDir && clean == dir) || clean.StartsWith(dir == "/" ? "/" : dir + "/", StringComparison.Ordinal) && clean != "/")
                return new NamedPath(key, clean, dir);
        return Errors.InvalidConfig(
            $"{key} \"{path}\" is not allowed: a NetworkAttachmentDefinition may name {what} only inside "
            + (dirs.IsEmpty ? "no directory" : string.Join(", ", dirs))
            + $"; the node's admin can allow its directory with {policyKey} in the flat file");
    }

    static string? Or(string? a, string? b) => string.IsNullOrEmpty(a) ? b : a;
}
