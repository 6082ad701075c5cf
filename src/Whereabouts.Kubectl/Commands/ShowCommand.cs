using System.Collections.Immutable;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Whereabouts.Kubectl.Access;
using Whereabouts.Kubectl.Model;
using Whereabouts.Kubectl.Output;

namespace Whereabouts.Kubectl.Commands;

public sealed class ShowSettings : ReadSettings
{
    [CommandArgument(0, "<POOL|ADDRESS|POD>")]
    [Description("A pool (name or range), an address, or a pod (namespace/name, or a name in any namespace)")]
    public string Target { get; init; } = "";
}

/// <summary><c>show</c>: who holds what: each address with its pod, container, interface, node and the pod's age.</summary>
public sealed class ShowCommand(KubectlHost host) : AsyncCommand<ShowSettings>
{
    public sealed record Line(string Address, string Pool, string Pod, string ContainerId, string Interface, string Node, string Phase, string? Created, string Age);

    public sealed record Document(string Target, ImmutableArray<Line> Holdings);

    public override async Task<int> ExecuteAsync(CommandContext context, ShowSettings s, CancellationToken ct)
    {
        await using var cluster = host.Open(s);
        var view = await cluster.Read(withReservations: false, withPods: true, ct);
        var target = Target.Parse(s.Target, view.Pools.Select(p => p.Key.Name));
        var now = host.Clock.GetUtcNow();
        var lines = Holdings.Of(view, target).Select(h => new Line(h.Address.ToString(), h.Pool.Name, h.Allocation.Owner.PodRef,
            h.Allocation.Owner.ContainerId, h.Allocation.Owner.IfName, h.Pod?.Node ?? "", h.Pod?.Phase ?? (h.Allocation.Owner.PodRef.Length > 0 ? "Gone" : ""),
            h.Pod?.Created?.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), Ages.Of(h.Age(now)))).ToImmutableArray();
        // A pool that holds nothing is an answer; an address or pod that nothing holds is not found.
        var found = !lines.IsEmpty || target is Target.OfPool;
        if (s.Output != OutputFormat.Table)
            Documents.Write(host.Out, s.Output, new Document(target.ToString(), lines));
        else if (lines.IsEmpty)
            (found ? host.Console.Out() : host.Error).WriteLine(found ? $"{target} holds no addresses" : $"nothing in {cluster.StoreName} is held by {target}");
        else
        {
            var table = Cells.Table("ADDRESS", "POOL", "POD", "CONTAINER", "INTERFACE", "NODE", "PHASE", "AGE");
            foreach (var l in lines)
                table.AddRow(Cells.Text(l.Address), Cells.Text(l.Pool), Cells.Text(l.Pod), Cells.Text(Short(l.ContainerId)), Cells.Text(l.Interface),
                    Cells.Text(l.Node), Cells.Text(l.Phase), Cells.Text(l.Age));
            host.Console.Write(table);
        }
        return found ? ExitCodes.Ok : ExitCodes.NotFound;
    }

    /// <summary>Container IDs as the runtimes' CLIs shorten them: the first 12 characters (JSON keeps them whole).</summary>
    static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
