using System.ComponentModel;
using Spectre.Console.Cli;

namespace Whereabouts.Kubectl.Access;

/// <summary>
/// How every command reaches the cluster, as kubectl does (--kubeconfig, $KUBECONFIG, ~/.kube/config, or the
/// pod's service account; --context; -n), and where the pools are: the Kubernetes API (the default, as the
/// plugin's "datastore": "kubernetes") or etcd (--etcd-endpoints, with the plugin's etcd_* settings).
/// </summary>
public class AccessSettings : CommandSettings
{
    [CommandOption("--kubeconfig <PATH>")]
    [Description("Kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config, then the pod's service account)")]
    public string? Kubeconfig { get; init; }

    [CommandOption("--context <NAME>")]
    [Description("Kubeconfig context to use (default: its current-context)")]
    public string? Context { get; init; }

    [CommandOption("-n|--namespace <NAMESPACE>")]
    [Description("Namespace of the Whereabouts objects (IPPools, reservations, NodeSlicePools); default: the context's, else kube-system")]
    public string? Namespace { get; init; }

    [CommandOption("--etcd-endpoints <URLS>")]
    [Description("Read the pools from etcd instead (etcd_host: host:port or http(s)://host:port, comma-separated); pods still come from the API")]
    public string? EtcdEndpoints { get; init; }

    [CommandOption("--etcd-cert-file <FILE>")]
    [Description("etcd client certificate (etcd_cert_file)")]
    public string? EtcdCertFile { get; init; }

    [CommandOption("--etcd-key-file <FILE>")]
    [Description("etcd client key (etcd_key_file)")]
    public string? EtcdKeyFile { get; init; }

    [CommandOption("--etcd-ca-cert-file <FILE>")]
    [Description("CA of the etcd server (etcd_ca_cert_file)")]
    public string? EtcdCaCertFile { get; init; }

    [CommandOption("--etcd-username <USER>")]
    [Description("etcd user (etcd_username)")]
    public string? EtcdUsername { get; init; }

    [CommandOption("--etcd-password-file <FILE>")]
    [Description("File holding the etcd password (etcd_password; never taken on the command line)")]
    public string? EtcdPasswordFile { get; init; }

    public bool UsesEtcd => !string.IsNullOrWhiteSpace(EtcdEndpoints);
}
