using System.Collections.Immutable;
using System.Globalization;

namespace Whereabouts.Controller;

/// <summary>
/// How the controller was started: how it reaches the API server (pods, nodes, NADs, the Lease and Events always
/// come from there), which datastore holds the pools, its Lease, and its timings.
/// </summary>
public sealed record ControllerOptions
{
    public bool InCluster { get; init; }
    public string Kubeconfig { get; init; } = "";
    /// <summary>Where the whereabouts objects live; empty: the kubeconfig context's, else kube-system.</summary>
    public string Namespace { get; init; } = "";
    /// <summary>kubernetes (the IPPools in <see cref="Namespace"/>) or etcd.</summary>
    public string Datastore { get; init; } = "kubernetes";
    public ImmutableArray<string> EtcdEndpoints { get; init; } = [];
    public string EtcdCertFile { get; init; } = "";
    public string EtcdKeyFile { get; init; } = "";
    public string EtcdCaCertFile { get; init; } = "";
    public string EtcdUsername { get; init; } = "";
    /// <summary>The etcd password is read from this file, never taken on the command line.</summary>
    public string EtcdPasswordFile { get; init; } = "";
    /// <summary>host:port of /metrics, /healthz and /readyz; "none" for no listener.</summary>
    public string MetricsAddress { get; init; } = "0.0.0.0:9274";
    public string LeaseName { get; init; } = "whereabouts-controller";
    /// <summary>Empty: <see cref="Namespace"/>.</summary>
    public string LeaseNamespace { get; init; } = "";
    /// <summary>Who holds the Lease; empty: $POD_NAME, else the host name.</summary>
    public string Identity { get; init; } = "";
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How often every pool is swept, to catch what events missed.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How long an allocation must have been seen before its pod's absence may release it; also an orphaned reservation's wait.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Keep NodeSlicePools for NADs with node_slice_size (Kubernetes datastore only).</summary>
    public bool NodeSlices { get; init; } = true;
    /// <summary>How long SIGTERM waits for the work in progress.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public string EffectiveLeaseNamespace(string ns) => LeaseNamespace.Length > 0 ? LeaseNamespace : ns;

    public string EffectiveIdentity() =>
        Identity.Length > 0 ? Identity
        : Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod
        : Environment.MachineName;

    public const string Usage = """
        usage: whereabouts-controller (--in-cluster | --kubeconfig PATH) [--namespace NS]
                 [--datastore kubernetes|etcd] [--etcd-endpoints URL[,URL...] [--etcd-cert-file F --etcd-key-file F]
                  [--etcd-ca-cert-file F] [--etcd-username U --etcd-password-file F]]
                 [--metrics-address HOST:PORT|none (0.0.0.0:9274)]
                 [--lease-name NAME (whereabouts-controller)] [--lease-namespace NS] [--identity ID ($POD_NAME)]
                 [--lease-duration-ms N (15000)] [--renew-deadline-ms N (10000)] [--retry-period-ms N (2000)]
                 [--sweep-interval-ms N (60000)] [--grace-period-ms N (30000)] [--no-node-slices] [--drain-timeout-ms N (20000)]
        """;

    public static (ControllerOptions? Options, string Error) Parse(IReadOnlyList<string> commandLine)
    {
        var args = Whereabouts.Core.Config.LongOptions.Split(commandLine);
        var o = new ControllerOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            TimeSpan Millis() { var name = args[i]; return TimeSpan.FromMilliseconds(Positive(name, Value())); }
            try
            {
                o = args[i] switch
                {
                    "--in-cluster" => o with { InCluster = true },
                    "--kubeconfig" => o with { Kubeconfig = Value() },
                    "--namespace" => o with { Namespace = Value() },
                    "--datastore" => o with { Datastore = Value() },
                    "--etcd-endpoints" => o with { EtcdEndpoints = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] },
                    "--etcd-cert-file" => o with { EtcdCertFile = Value() },
                    "--etcd-key-file" => o with { EtcdKeyFile = Value() },
                    "--etcd-ca-cert-file" => o with { EtcdCaCertFile = Value() },
                    "--etcd-username" => o with { EtcdUsername = Value() },
                    "--etcd-password-file" => o with { EtcdPasswordFile = Value() },
                    "--metrics-address" => o with { MetricsAddress = Value() },
                    "--lease-name" => o with { LeaseName = Value() },
                    "--lease-namespace" => o with { LeaseNamespace = Value() },
                    "--identity" => o with { Identity = Value() },
                    "--lease-duration-ms" => o with { LeaseDuration = Millis() },
                    "--renew-deadline-ms" => o with { RenewDeadline = Millis() },
                    "--retry-period-ms" => o with { RetryPeriod = Millis() },
                    "--sweep-interval-ms" => o with { SweepInterval = Millis() },
                    "--grace-period-ms" => o with { GracePeriod = Millis() },
                    "--no-node-slices" => o with { NodeSlices = false },
                    "--drain-timeout-ms" => o with { DrainTimeout = Millis() },
                    _ => throw new FormatException($"unknown option {args[i]}"),
                };
            }
            catch (FormatException e)
            {
                return (null, e.Message);
            }
        }
        if (!o.InCluster && o.Kubeconfig.Length == 0) return (null, "--in-cluster or --kubeconfig is required: pods, nodes, the Lease and Events come from the API server");
        if (o.Datastore is not ("kubernetes" or "etcd")) return (null, $"--datastore {o.Datastore}: expected kubernetes or etcd");
        if (o.Datastore == "etcd" && o.EtcdEndpoints.IsEmpty) return (null, "--datastore etcd needs --etcd-endpoints");
        if (o.RenewDeadline >= o.LeaseDuration) return (null, "--renew-deadline-ms must be shorter than --lease-duration-ms, or two leaders can overlap");
        if (o.RetryPeriod >= o.RenewDeadline) return (null, "--retry-period-ms must be shorter than --renew-deadline-ms");
        return (o, "");
    }

    static int Positive(string option, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"{option} {text}: expected a positive integer");
}
