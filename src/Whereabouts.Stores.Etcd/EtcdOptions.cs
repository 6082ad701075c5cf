using System.Globalization;
using Whereabouts.Core.Config;

namespace Whereabouts.Stores.Etcd;

/// <summary>
/// How to reach etcd, from upstream's keys: <c>etcd_host</c> (one or more endpoints, comma-separated, each
/// <c>host:port</c>, <c>host</c> or <c>http(s)://host:port</c>), <c>etcd_username</c>/<c>etcd_password</c>, and
/// <c>etcd_cert_file</c>/<c>etcd_key_file</c>/<c>etcd_ca_cert_file</c> (PEM). An endpoint without a scheme uses
/// https when a client certificate and key are set and http otherwise, as upstream does; a missing port is 2379.
/// </summary>
public sealed record EtcdOptions(
    IReadOnlyList<Uri> Endpoints,
    string Username,
    string Password,
    string CertFile,
    string KeyFile,
    string CaCertFile,
    TimeSpan RequestTimeout)
{
    /// <summary>Each request gives up after this long, so one stuck call never outlives the retry deadline by much.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a login may take: three request timeouts by default. etcd checks the password with bcrypt
    /// (cost 10: ~60-80 ms of etcd CPU each), so a node that starts a hundred pods at once queues that many
    /// logins; giving up on them early only makes every process log in again and the queue longer (measured: with
    /// a 5 s limit, 100 concurrent ADDs with a password all failed after 30 s; see docs/benchmarks.md).
    /// </summary>
    public TimeSpan AuthenticateTimeout { get; init; } = 3 * DefaultRequestTimeout;

    public const int DefaultPort = 2379;

    /// <summary>
    /// The executable's choices; when etcd_ca_cert_file is set, <see cref="StoreHooks.BeforeCustomRootHandshake"/>
    /// gets it before the first handshake (the CNI plugin scopes OpenSSL's system store to it: .NET loads the
    /// whole store to build any chain, even one that may only end at custom roots). None by default.
    /// </summary>
    public StoreHooks Hooks { get; init; } = StoreHooks.None;

    public bool UsesTls => CertFile.Length > 0 || KeyFile.Length > 0 || CaCertFile.Length > 0;

    /// <summary>Checks and normalises the settings; a mistake is a permanent <see cref="StoreUnavailableException"/> naming the key.</summary>
    public static EtcdOptions From(DatastoreSettings.Etcd settings, TimeSpan? requestTimeout = null)
    {
        // As upstream (etcd's Go client with a TLS config only when both cert and key are set): an endpoint without
        // a scheme speaks TLS when a client certificate is configured. An https:// endpoint always does, and then
        // etcd_ca_cert_file is honoured even without a client certificate (upstream would ignore it).
        var tls = settings.CertFile.Length > 0 && settings.KeyFile.Length > 0;
        if ((settings.CertFile.Length > 0) != (settings.KeyFile.Length > 0))
            throw Misconfigured("etcd_cert_file and etcd_key_file go together: set both (a client certificate and its key) or neither");
        var endpoints = settings.Endpoints.Select(e => ParseEndpoint(e, tls)).ToList();
        // The TLS files are read by the TLS stack, which follows links and reads any size: checked here as the
        // plugin's own reads are (a regular file, no link at the path, at most 1 MiB; docs/security.md).
        foreach (var (key, file) in new[] { ("etcd_cert_file", settings.CertFile), ("etcd_key_file", settings.KeyFile), ("etcd_ca_cert_file", settings.CaCertFile) })
        {
            if (file.Length == 0) continue;
            try { SafeFile.Check(file, SafeFile.ConfigLimit); }
            catch (IOException e) { throw Misconfigured($"{key} cannot be used: {e.Message}"); }
        }
        if (endpoints.Count == 0) throw Misconfigured("etcd_host is empty: give at least one endpoint, e.g. \"127.0.0.1:2379\"");
        var timeout = requestTimeout ?? DefaultRequestTimeout;
        // As upstream: credentials are used only when both are set.
        var (user, password) = settings.Username.Length > 0 && settings.Password.Length > 0 ? (settings.Username, settings.Password) : ("", "");
        return new EtcdOptions(endpoints, user, password, settings.CertFile, settings.KeyFile,
            settings.CaCertFile, timeout) { AuthenticateTimeout = 3 * timeout };
    }

    /// <summary>Request and login timeouts no longer than <paramref name="deadline"/> (the plugin's retry deadline).</summary>
    public EtcdOptions Within(TimeSpan deadline) => this with
    {
        RequestTimeout = RequestTimeout < deadline ? RequestTimeout : deadline,
        AuthenticateTimeout = AuthenticateTimeout < deadline ? AuthenticateTimeout : deadline,
    };

    /// <summary><c>host:port</c>, <c>host</c>, <c>[v6]:port</c>, <c>http://host:port</c> or <c>https://host:port</c>, as the base URI of the /v3/ gateway.</summary>
    public static Uri ParseEndpoint(string text, bool tls)
    {
        var trimmed = text.Trim();
        var withScheme = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : (tls ? "https://" : "http://") + trimmed;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || uri.Host.Length == 0
            || uri.PathAndQuery is not ("/" or "")
            || uri.UserInfo.Length > 0)
            throw Misconfigured($"etcd_host entry \"{Core.Redaction.Url(text)}\" is not an endpoint: use host:port or http(s)://host:port, comma-separated"
                + (Core.Redaction.Url(text) != text ? " (credentials go in etcd_username and etcd_password, never in the URL)" : ""));
        var port = uri.IsDefaultPort && !HasExplicitPort(trimmed) ? DefaultPort : uri.Port;
        return new UriBuilder(uri.Scheme, uri.Host, port, "/v3/").Uri;
    }

    static bool HasExplicitPort(string text)
    {
        var afterScheme = text.Contains("://", StringComparison.Ordinal) ? text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..] : text;
        var hostPort = afterScheme.Split('/')[0];
        var colon = hostPort.LastIndexOf(':');
        return colon >= 0 && colon > hostPort.LastIndexOf(']') && int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    static StoreUnavailableException Misconfigured(string message) => new(message, transient: false);
}
