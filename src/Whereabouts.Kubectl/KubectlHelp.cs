using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Whereabouts.Kubectl;

/// <summary>
/// Spectre's help, with what every page should say: what the tool is (on the root page), and on every page the
/// exit codes a script can test and where the objects are read from.
/// </summary>
sealed class KubectlHelp(ICommandAppSettings settings) : HelpProvider(settings)
{
    const string About =
        "Pool usage, who holds which address, a consistency check, release and import for Whereabouts, the cluster-wide IPAM " +
        "plugin. Reads the Whereabouts objects (IPPools, OverlappingRangeIPReservations, NodeSlicePools) in the namespace of the " +
        "kubeconfig context (-n to choose, kube-system when the context names none), or the pools in etcd (--etcd-endpoints), and the " +
        "cluster's pods. Pools written by upstream Whereabouts are read as they are.";

    public override IEnumerable<IRenderable> GetHeader(ICommandModel model, ICommandInfo? command) =>
        command is null ? [new Text(About), Text.NewLine, Text.NewLine] : [];

    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command) =>
    [
        Text.NewLine,
        new Markup("[yellow]EXIT CODES:[/]"), Text.NewLine,
        new Text("    0  done; check: nothing is wrong"), Text.NewLine,
        new Text("    1  check found problems; release or import refused (nothing written)"), Text.NewLine,
        new Text("    2  usage error"), Text.NewLine,
        new Text("    3  the datastore or the API server cannot be used (unreachable, credentials refused, kubeconfig unusable)"), Text.NewLine,
        new Text("    4  show, release: nothing matches"), Text.NewLine,
    ];
}
