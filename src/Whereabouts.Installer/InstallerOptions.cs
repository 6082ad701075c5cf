using System.Globalization;

namespace Whereabouts.Installer;

/// <summary>
/// Where the installer reads and writes. Each path is a flag, else an environment variable, else upstream's
/// default: the host's /opt/cni/bin and /etc/cni/net.d mounted at /host/… in the pod.
/// </summary>
public sealed record InstallerOptions
{
    /// <summary>The plugin binary inside the image.</summary>
    public string PluginSource { get; init; } = "/opt/whereabouts/cni/whereabouts";
    /// <summary>The host's CNI bin directory, as mounted in the pod.</summary>
    public string CniBinDir { get; init; } = "/host/opt/cni/bin";
    /// <summary>whereabouts.d as mounted in the pod: the kubeconfig, flat file and nodename go here.</summary>
    public string ConfigDir { get; init; } = "/host/etc/cni/net.d/whereabouts.d";
    /// <summary>The same directory as the host sees it: the plugin runs on the host, so the flat file names the kubeconfig by this path.</summary>
    public string HostConfigDir { get; init; } = "/etc/cni/net.d/whereabouts.d";
    public string ServiceAccountDir { get; init; } = "/var/run/secrets/kubernetes.io/serviceaccount";
    public string NodeName { get; init; } = "";
    /// <summary>The kubeconfig's namespace (where the pools live); empty: the service account's, as upstream's WHEREABOUTS_NAMESPACE.</summary>
    public string Namespace { get; init; } = "";
    public string ApiHost { get; init; } = "";
    public string ApiPort { get; init; } = "443";
    public bool Watch { get; init; }
    public bool Uninstall { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string PluginTarget => Path.Combine(CniBinDir, "whereabouts");
    public string KubeconfigPath => Path.Combine(ConfigDir, "whereabouts.kubeconfig");
    public string FlatFilePath => Path.Combine(ConfigDir, "whereabouts.conf");
    public string NodeNamePath => Path.Combine(ConfigDir, "nodename");
    public string HostKubeconfigPath => Path.Combine(HostConfigDir, "whereabouts.kubeconfig");

    public const string Usage = """
        usage: whereabouts-install [--watch | --uninstall] [--plugin PATH] [--cni-bin-dir DIR] [--config-dir DIR]
                                   [--host-config-dir DIR] [--service-account-dir DIR] [--node-name NAME] [--namespace NS] [--poll-seconds N]
        environment: WHEREABOUTS_PLUGIN, WHEREABOUTS_CNI_BIN_DIR, WHEREABOUTS_CONFIG_DIR, WHEREABOUTS_HOST_CONFIG_DIR,
                     WHEREABOUTS_SERVICE_ACCOUNT_DIR, WHEREABOUTS_NAMESPACE, NODENAME,
                     KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT
        """;

    /// <summary>The options (flags over environment over defaults), or what is wrong with them.</summary>
    public static (InstallerOptions? Options, string Error) Parse(IReadOnlyList<string> commandLine, Func<string, string?> env)
    {
        // "--name=value", as manifests write it, is "--name value". (The same rule as Core's LongOptions: the
        // installer links nothing but the BCL, to stay a 2.4 MB executable.)
        var args = commandLine.SelectMany(a => a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('=') is > 2 and var at
            ? new[] { a[..at], a[(at + 1)..] } : [a]).ToList();
        var d = new InstallerOptions();
        string Env(string name, string fallback) => env(name) is { Length: > 0 } v ? v : fallback;
        var o = d with
        {
            PluginSource = Env("WHEREABOUTS_PLUGIN", d.PluginSource),
            CniBinDir = Env("WHEREABOUTS_CNI_BIN_DIR", d.CniBinDir),
            ConfigDir = Env("WHEREABOUTS_CONFIG_DIR", d.ConfigDir),
            HostConfigDir = Env("WHEREABOUTS_HOST_CONFIG_DIR", d.HostConfigDir),
            ServiceAccountDir = Env("WHEREABOUTS_SERVICE_ACCOUNT_DIR", d.ServiceAccountDir),
            NodeName = Env("NODENAME", ""),
            Namespace = Env("WHEREABOUTS_NAMESPACE", ""),
            ApiHost = Env("KUBERNETES_SERVICE_HOST", ""),
            ApiPort = Env("KUBERNETES_SERVICE_PORT", d.ApiPort),
        };
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                o = args[i] switch
                {
                    "--watch" => o with { Watch = true },
                    "--uninstall" => o with { Uninstall = true },
                    "--plugin" => o with { PluginSource = Value() },
                    "--cni-bin-dir" => o with { CniBinDir = Value() },
                    "--config-dir" => o with { ConfigDir = Value() },
                    "--host-config-dir" => o with { HostConfigDir = Value() },
                    "--service-account-dir" => o with { ServiceAccountDir = Value() },
                    "--node-name" => o with { NodeName = Value() },
                    "--namespace" => o with { Namespace = Value() },
                    "--poll-seconds" => o with { PollInterval = TimeSpan.FromSeconds(Seconds(Value())) },
                    _ => throw new FormatException($"unknown option {args[i]}"),
                };
            }
            catch (FormatException e)
            {
                return (null, e.Message);
            }
        }
        if (o.Watch && o.Uninstall) return (null, "--watch and --uninstall exclude each other");
        if (!o.Uninstall && o.ApiHost.Length == 0) return (null, "KUBERNETES_SERVICE_HOST is not set: the kubeconfig needs the API server's address");
        return (o, "");
    }

    static int Seconds(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"--poll-seconds {text}: expected a positive integer");
}
