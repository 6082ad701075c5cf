using System.Collections.Immutable;
using System.Text.Json;
using LanguageExt;

namespace Whereabouts.Core.Config;

/// <summary>
/// What the node's admin lets a NetworkAttachmentDefinition name: the directories its files may be in and the
/// etcd endpoints it may point at. The NAD author is a namespace user and the plugin runs as root, so every
/// path or endpoint the inline IPAM object names must fall inside these; the flat file is the admin's and its
/// own values are trusted. Each list is a flat-file key; a key that is given replaces its default (to widen,
/// list the defaults too; to forbid, give an empty list). See docs/security.md.
/// </summary>
public sealed record AdminPolicy(
    ImmutableArray<string> ConfigurationDirs,
    ImmutableArray<string> KubeconfigDirs,
    ImmutableArray<string> LogDirs,
    ImmutableArray<string> FileStoreDirs,
    ImmutableArray<string> EtcdTlsDirs,
    ImmutableArray<string> EtcdHosts)
{
    public const string ConfigurationDirsKey = "allowed_configuration_dirs";
    public const string KubeconfigDirsKey = "allowed_kubeconfig_dirs";
    public const string LogDirsKey = "allowed_log_dirs";
    public const string FileStoreDirsKey = "allowed_file_store_dirs";
    public const string EtcdTlsDirsKey = "allowed_etcd_tls_dirs";
    public const string EtcdHostsKey = "allowed_etcd_hosts";

    /// <summary>In allowed_etcd_hosts: any endpoint (the default, as upstream's NADs name etcd_host inline).</summary>
    public const string AnyHost = "*";

    /// <summary>The whereabouts.d directories the flat file is searched in: where the installer writes the kubeconfig.</summary>
    static readonly ImmutableArray<string> WhereaboutsDirs =
    [
        "/etc/kubernetes/cni/net.d/whereabouts.d",
        "/etc/cni/net.d/whereabouts.d",
        "/host/etc/cni/net.d/whereabouts.d",
    ];

    /// <summary>
    /// Defaults that keep upstream's documented NADs working: the kubeconfig and flat files under whereabouts.d,
    /// logs in /tmp (upstream's examples log to /tmp/whereabouts.log), the file store at its default directory,
    /// any etcd endpoint (without the flat file's credentials unless it is the flat file's endpoint).
    /// </summary>
    public static readonly AdminPolicy Default = new(
        ConfigurationDirs: WhereaboutsDirs,
        KubeconfigDirs: WhereaboutsDirs,
        LogDirs: ["/tmp", "/var/log/whereabouts"],
        FileStoreDirs: ["/var/lib/cni/whereabouts"],
        EtcdTlsDirs: WhereaboutsDirs,
        EtcdHosts: [AnyHost]);

    /// <summary>
    /// The allowed_* keys of a flat file over <paramref name="under"/>: a key present replaces the value under
    /// it. Other keys are the IPAM reader's business. A key that is not a list of strings is a config error, and
    /// so is a file that is not JSON (said with its position, never its content: it is read before anything else).
    /// </summary>
    public static Fin<AdminPolicy> Read(ReadOnlySpan<byte> flatFile, AdminPolicy under, string path)
    {
        var policy = under;
        var problems = new List<string>();
        try
        {
            var r = new Utf8JsonReader(flatFile);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return policy; // the IPAM reader says why
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var key = r.GetString() ?? "";
                r.Read();
                if (!key.StartsWith("allowed_", StringComparison.Ordinal)) { r.Skip(); continue; }
                var list = Strings(ref r);
                if (list is not { } values)
                {
                    problems.Add($"{key} must be a list of strings");
                    continue;
                }
                var bad = key == EtcdHostsKey ? values.Where(v => v.Trim().Length == 0).ToList() : values.Where(v => !IsCleanAbsolute(v)).ToList();
                if (bad.Count > 0)
                {
                    problems.Add(key == EtcdHostsKey
                        ? $"{key} has an empty entry"
                        : $"{key} entries must be absolute paths without \".\" or \"..\" components: {string.Join(", ", bad.Select(b => $"\"{b}\""))}");
                    continue;
                }
                var dirs = values.Select(TrimSlash).ToImmutableArray();
                switch (key)
                {
                    case ConfigurationDirsKey: policy = policy with { ConfigurationDirs = dirs }; break;
                    case KubeconfigDirsKey: policy = policy with { KubeconfigDirs = dirs }; break;
                    case LogDirsKey: policy = policy with { LogDirs = dirs }; break;
                    case FileStoreDirsKey: policy = policy with { FileStoreDirs = dirs }; break;
                    case EtcdTlsDirsKey: policy = policy with { EtcdTlsDirs = dirs }; break;
                    case EtcdHostsKey: policy = policy with { EtcdHosts = values.Select(v => v.Trim()).ToImmutableArray() }; break;
                    default:
                        problems.Add($"unknown key \"{key}\": the node policy keys are {ConfigurationDirsKey}, {KubeconfigDirsKey}, {LogDirsKey}, {FileStoreDirsKey}, {EtcdTlsDirsKey} and {EtcdHostsKey}");
                        break;
                }
            }
            while (r.Read()) { } // the rest must be well-formed too
        }
        catch (JsonException e)
        {
            // Our own words: the reader's message quotes the offending character, and the file may be anything.
            return Errors.InvalidConfig($"flat file {path} is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line); its content is not shown");
        }
        return problems.Count == 0 ? policy : Errors.InvalidConfig($"flat file {path}: {string.Join("; ", problems)}");
    }

    /// <summary>A JSON list of strings, or null when the value is anything else (the reader ends on its last token).</summary>
    static List<string>? Strings(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray) { r.Skip(); return null; }
        var list = new List<string>();
        var ok = true;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.String) list.Add(r.GetString() ?? "");
            else { ok = false; r.Skip(); }
        }
        return ok ? list : null;
    }

    /// <summary>Absolute, no NUL, and no empty, "." or ".." component except a trailing slash: compared as text.</summary>
    public static bool IsCleanAbsolute(string path)
    {
        if (path.Length == 0 || path[0] != '/' || path.Contains('\0')) return false;
        var parts = TrimSlash(path).Split('/');
        return parts.Skip(1).All(p => p.Length > 0 && p != "." && p != "..") || TrimSlash(path) == "/";
    }

    static string TrimSlash(string path) => path.Length > 1 ? path.TrimEnd('/') is { Length: > 0 } t ? t : "/" : path;
}
