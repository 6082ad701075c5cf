using System.ComponentModel;
using System.Collections.Immutable;
using Spectre.Console;
using Spectre.Console.Cli;
using Whereabouts.Kubectl.Access;
using Whereabouts.Kubectl.Model;
using Whereabouts.Kubectl.Output;

namespace Whereabouts.Kubectl.Commands;

public sealed class PoolsSettings : ReadSettings
{
    [CommandOption("-w|--watch")]
    [Description("Print again every --interval seconds until interrupted")]
    public bool Watch { get; init; }

    [CommandOption("--interval <SECONDS>")]
    [Description("Seconds between two prints with --watch")]
    [DefaultValue(2)]
    public int Interval { get; init; } = 2;

    public override ValidationResult Validate() =>
        Interval > 0 ? ValidationResult.Success() : ValidationResult.Error("--interval must be a positive number of seconds");
}

/// <summary><c>pools</c>: every pool, fullest first, with its size, use and headroom.</summary>
public sealed class PoolsCommand(KubectlHost host) : AsyncCommand<PoolsSettings>
{
    public sealed record Document(ImmutableArray<PoolRow> Pools);

    public override async Task<int> ExecuteAsync(CommandContext context, PoolsSettings s, CancellationToken ct)
    {
        await using var cluster = host.Open(s);
        for (var round = 0; ; round++)
        {
            var rows = PoolReport.Of(await cluster.Read(withReservations: false, withPods: false, ct));
            // On a terminal each round replaces the last, as watch(1) does; piped, rounds follow each other.
            if (round > 0 && s.Output == OutputFormat.Table)
            {
                if (host.Console.Profile.Capabilities.Interactive) host.Console.Clear(home: true);
                else host.Console.WriteLine();
            }
            Render(rows, s.Output, cluster.StoreName);
            if (!s.Watch) return ExitCodes.Ok;
            try { await Task.Delay(TimeSpan.FromSeconds(s.Interval), host.Clock, ct); }
            catch (OperationCanceledException) { return ExitCodes.Ok; }
        }
    }

    void Render(ImmutableArray<PoolRow> rows, OutputFormat format, string store)
    {
        if (format != OutputFormat.Table)
        {
            Documents.Write(host.Out, format, new Document(rows));
            return;
        }
        if (rows.IsEmpty)
        {
            host.Console.MarkupLine($"no pools in {store.EscapeMarkup()}");
            return;
        }
        var table = Cells.Table("POOL", "RANGE", "NETWORK", "NODE", "SIZE", "USED", "FREE", "USAGE");
        foreach (var r in rows)
            table.AddRow(Cells.Text(r.Pool), Cells.Text(r.Range), Cells.Text(r.Network), Cells.Text(r.Node),
                Cells.Count(r.Size), Cells.Count(r.Used), Cells.Count(r.Free), UsageBar.Markup(r.Fraction));
        host.Console.Write(table);
        var used = rows.Sum(r => r.Used);
        host.Console.MarkupLine($"{rows.Length} pool{(rows.Length == 1 ? "" : "s")} in {store.EscapeMarkup()}, {Cells.Count(used)} address{(used == 1 ? "" : "es")} held");
    }
}
