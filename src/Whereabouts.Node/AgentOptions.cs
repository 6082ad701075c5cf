using System.Globalization;
using Whereabouts.Core.Config;

namespace Whereabouts.Node;

/// <summary>
/// How the agent was started: where it listens, which one datastore it serves (a request naming any other is
/// declined, and the plugin runs it itself), how it reaches the Kubernetes API, and its limits.
/// </summary>
public sealed record AgentOptions
{
    public const string DefaultSocket = "/run/whereabouts/node.sock";

    public string Socket { get; init; } = DefaultSocket;
    /// <summary>kubernetes, etcd or file.</summary>
    public string Datastore { get; init; } = "";
    /// <summary>The kubeconfig requests name (the node's whereabouts.kubeconfig); also how the agent connects unless <see cref="InCluster"/>.</summary>
    public string Kubeconfig { get; init; } = "";
    /// <summary>Connect with the pod's service account (in-cluster config) rather than the kubeconfig.</summary>
    public bool InCluster { get; init; }
    /// <summary>The namespace of the pools; empty: the kubeconfig's (kube-system when it names none), or the service account's.</summary>
    public string Namespace { get; init; } = "";
    public IReadOnlyList<string> EtcdEndpoints { get; init; } = [];
    public string FileDir { get; init; } = "";
    /// <summary>host:port of /metrics, /healthz and /readyz; "none" for no such listener. Loopback unless configured.</summary>
    public string MetricsAddress { get; init; } = "127.0.0.1:9273";
    /// <summary>Requests being served at once beyond which a new one is answered with CNI error 11 (try again later).</summary>
    public int MaxInFlight { get; init; } = 1024;
    public long MaxRequestBytes { get; init; } = 1 << 20;
    /// <summary>How long a connection may take to send its request before it is closed.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long SIGTERM waits for requests in flight to finish.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>Whether a request naming <paramref name="settings"/> is this agent's to serve.</summary>
    public bool Serves(DatastoreSettings settings) => (Datastore, settings) switch
    {
        ("kubernetes", DatastoreSettings.Kubernetes k) => SamePath(k.Kubeconfig, Kubeconfig),
        ("etcd", DatastoreSettings.Etcd e) => e.Endpoints.Select(TrustBoundary.Endpoint).ToHashSet(StringComparer.Ordinal).SetEquals(EtcdEndpoints.Select(TrustBoundary.Endpoint)),
        ("file", DatastoreSettings.File f) => SamePath(f.Dir, FileDir),
        _ => false,
    };

    static bool SamePath(string a, string b) =>
        a.Length > 0 && b.Length > 0 && Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)) == Path.TrimEndingDirectorySeparator(Path.GetFullPath(b));

    public const string Usage = """
        usage: whereabouts-node --datastore kubernetes --kubeconfig PATH [--in-cluster] [--namespace NS]
               whereabouts-node --datastore etcd --etcd-endpoints URL[,URL...]
               whereabouts-node --datastore file --file-dir DIR
        common: [--socket PATH (default /run/whereabouts/node.sock)] [--metrics-address HOST:PORT|none (default 127.0.0.1:9273)]
                [--max-in-flight N (1024)] [--max-request-bytes N (1048576)] [--read-timeout-ms N (5000)] [--drain-timeout-ms N (40000)]
        """;

    /// <summary>The options, or what is wrong with the command line.</summary>
    public static (AgentOptions? Options, string Error) Parse(IReadOnlyList<string> commandLine)
    {
        var args = Whereabouts.Core.Config.LongOptions.Split(commandLine);
        var o = new AgentOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                o = args[i] switch
                {
                    "--socket" => o with { Socket = Value() },
                    "--datastore" => o with { Datastore = Value() },
                    "--kubeconfig" => o with { Kubeconfig = Value() },
                    "--in-cluster" => o with { InCluster = true },
                    "--namespace" => o with { Namespace = Value() },
                    "--etcd-endpoints" => o with { EtcdEndpoints = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                    "--file-dir" => o with { FileDir = Value() },
                    "--metrics-address" => o with { MetricsAddress = Value() },
                    "--max-in-flight" => o with { MaxInFlight = Positive(args[i], Value()) },
                    "--max-request-bytes" => o with { MaxRequestBytes = Positive(args[i], Value()) },
                    "--read-timeout-ms" => o with { ReadTimeout = TimeSpan.FromMilliseconds(Positive(args[i], Value())) },
                    "--drain-timeout-ms" => o with { DrainTimeout = TimeSpan.FromMilliseconds(Positive(args[i], Value())) },
                    _ => throw new FormatException($"unknown option {args[i]}"),
                };
            }
            catch (FormatException e)
            {
                return (null, e.Message);
            }
        }
        return o.Datastore switch
        {
            "kubernetes" when o.Kubeconfig.Length == 0 => (null, "--datastore kubernetes needs --kubeconfig: the kubeconfig path the network configurations name"),
            "etcd" when o.EtcdEndpoints.Count == 0 => (null, "--datastore etcd needs --etcd-endpoints"),
            "file" when o.FileDir.Length == 0 => (null, "--datastore file needs --file-dir"),
            "kubernetes" or "etcd" or "file" => (o, ""),
            "" => (null, "--datastore is required"),
            _ => (null, $"--datastore {o.Datastore}: expected kubernetes, etcd or file"),
        };
    }

    static int Positive(string option, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"{option} {text}: expected a positive integer");
}
