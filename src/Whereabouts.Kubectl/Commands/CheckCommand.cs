using System.Collections.Immutable;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Whereabouts.Kubectl.Access;
using Whereabouts.Kubectl.Model;
using Whereabouts.Kubectl.Output;

namespace Whereabouts.Kubectl.Commands;

public sealed class CheckSettings : ReadSettings
{
    [CommandOption("--ignore-missing-reservations")]
    [Description("Do not report allocations without a reservation (networks with enable_overlapping_ranges false keep none)")]
    public bool IgnoreMissingReservations { get; init; }
}

/// <summary><c>check</c>: pools against reservations against live pods (<see cref="Consistency"/>); exit 1 when anything is wrong.</summary>
public sealed class CheckCommand(KubectlHost host) : AsyncCommand<CheckSettings>
{
    /// <summary>What was checked, and how many problems of each kind were found.</summary>
    public sealed record Summary(int Pools, int Allocations, int Reservations, int Pods, int Problems,
        int HeldTwice, int PodGone, int ReservationWithoutAllocation, int AllocationWithoutReservation, int OutsideRange)
    {
        public static Summary Of(ClusterView view, ImmutableArray<Finding> f)
        {
            int N(FindingKind k) => f.Count(x => x.Kind == k);
            return new(view.Pools.Length, view.Pools.Sum(p => p.State.Allocations.Length), view.Reservations.Length, view.Pods.Count, f.Length,
                N(FindingKind.HeldTwice), N(FindingKind.PodGone), N(FindingKind.ReservationWithoutAllocation), N(FindingKind.AllocationWithoutReservation), N(FindingKind.OutsideRange));
        }
    }

    public sealed record Document(ImmutableArray<Finding> Findings, Summary Summary);

    public override async Task<int> ExecuteAsync(CommandContext context, CheckSettings s, CancellationToken ct)
    {
        await using var cluster = host.Open(s);
        var view = await cluster.Read(withReservations: true, withPods: true, ct, withRanges: true);
        var findings = Consistency.Check(view, reservations: !s.IgnoreMissingReservations);
        var summary = Summary.Of(view, findings);
        if (s.Output != OutputFormat.Table) Documents.Write(host.Out, s.Output, new Document(findings, summary));
        else Render(findings, summary, cluster.StoreName);
        return findings.IsEmpty ? ExitCodes.Ok : ExitCodes.Findings;
    }

    void Render(ImmutableArray<Finding> findings, Summary sum, string store)
    {
        if (!findings.IsEmpty)
        {
            var table = Cells.Table("PROBLEM", "ADDRESS", "POOL", "HOLDER", "DETAIL");
            foreach (var f in findings)
                table.AddRow($"[red]{Label(f.Kind)}[/]", Cells.Text(f.Address), Cells.Text(f.Pool), Cells.Text(f.Holder), Cells.Text(f.Detail));
            host.Console.Write(table);
            host.Console.WriteLine();
        }
        host.Console.MarkupLine($"checked {Cells.Counted(sum.Pools, "pool")}, {Cells.Counted(sum.Allocations, "allocation")}, {Cells.Counted(sum.Reservations, "reservation")} " +
            $"in {store.EscapeMarkup()} against {Cells.Counted(sum.Pods, "pod")}: " +
            (findings.IsEmpty ? "[green]no problems[/]" : $"[red]{sum.Problems} problem{(sum.Problems == 1 ? "" : "s")}[/] (" +
                string.Join(", ", findings.GroupBy(f => f.Kind).Select(g => $"{Label(g.Key)}: {g.Count()}")) + ")"));
    }

    public static string Label(FindingKind kind) => kind switch
    {
        FindingKind.HeldTwice => "held twice",
        FindingKind.PodGone => "pod gone",
        FindingKind.ReservationWithoutAllocation => "reservation without allocation",
        FindingKind.AllocationWithoutReservation => "allocation without reservation",
        FindingKind.OutsideRange => "outside range",
        _ => kind.ToString(),
    };
}
