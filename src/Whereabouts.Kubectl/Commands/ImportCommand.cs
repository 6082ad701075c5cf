using System.Collections.Immutable;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Kubectl.Access;
using Whereabouts.Kubectl.Model;
using Whereabouts.Kubectl.Output;
using Whereabouts.Stores;

namespace Whereabouts.Kubectl.Commands;

public sealed class ImportSettings : ReadSettings
{
    [CommandOption("--from-host-local <DIR>")]
    [Description("host-local's data directory of the network, e.g. /var/lib/cni/networks/NAME (one per node: run once per node)")]
    public string Dir { get; init; } = "";

    [CommandOption("--range <CIDR>")]
    [Description("The whereabouts range the addresses go to, as the network's config names it (repeat for several)")]
    public string[] Ranges { get; init; } = [];

    [CommandOption("--network <NAME>")]
    [Description("The config's network_name (the prefix of its pools and reservations); omit when it sets none")]
    public string Network { get; init; } = "";

    [CommandOption("--pod-refs <FILE>")]
    [Description("Lines \"containerID namespace/name\": the pod of each container (host-local keeps no pod name)")]
    public string? PodRefs { get; init; }

    [CommandOption("--no-reservations")]
    [Description("Write no reservations (for a config with enable_overlapping_ranges false)")]
    public bool NoReservations { get; init; }

    [CommandOption("--dry-run")]
    [Description("Print what would be imported, and write nothing")]
    public bool DryRun { get; init; }

    public override ValidationResult Validate() =>
        Dir.Length == 0 ? ValidationResult.Error("--from-host-local DIR is required")
        : Ranges.Length == 0 ? ValidationResult.Error("--range CIDR is required: the range of the whereabouts config that takes over the network")
        : Ranges.FirstOrDefault(r => Cidr.Parse(r).IsFail) is { } bad ? ValidationResult.Error($"--range {bad}: not a CIDR")
        : ValidationResult.Success();
}

/// <summary>
/// <c>import</c>: host-local's addresses become allocations, each as an ADD that requests exactly that address
/// (<see cref="Allocator"/> through <see cref="ConflictRetry"/>, reservation first, then the pool). Refuses the
/// whole import before writing when any address is taken by someone else or lies outside the ranges.
/// </summary>
public sealed class ImportCommand(KubectlHost host) : AsyncCommand<ImportSettings>
{
    /// <summary>host-local's files are a few dozen bytes; anything larger is not one of them.</summary>
    const int MaxFileBytes = 4096;

    public sealed record Line(string Address, string ContainerId, string Interface, string Pod, string Pool, ImportResult Result, string Detail);

    public sealed record Document(string Directory, bool DryRun, ImmutableArray<Line> Addresses, ImmutableArray<string> Skipped);

    public override async Task<int> ExecuteAsync(CommandContext context, ImportSettings s, CancellationToken ct)
    {
        if (!Directory.Exists(s.Dir)) throw new UsageException($"--from-host-local {s.Dir}: no such directory");
        var (entries, skipped) = HostLocalFiles.Read(Directory.EnumerateFiles(s.Dir)
            .Where(f => new FileInfo(f) is { Length: <= MaxFileBytes, LinkTarget: null })
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
        var podRefs = s.PodRefs is { Length: > 0 } file ? HostLocalFiles.PodRefs(await File.ReadAllTextAsync(file, ct)) : ImmutableDictionary<string, string>.Empty;
        var ranges = s.Ranges.Select(r => Cidr.Parse(r).ThrowIfFail()).ToImmutableArray();

        await using var cluster = host.Open(s);
        var keys = ranges.Select(r => PoolKey.For(r, s.Network)).Distinct().ToImmutableArray();
        var pools = (await Task.WhenAll(keys.Select(k => cluster.Store.LoadPool(k, ct)))).ToDictionary(p => p.Key.Name, StringComparer.Ordinal);
        var reservations = s.NoReservations ? [] : await cluster.Store.ListReservations(s.Network.Length > 0 ? s.Network + "-" : "", ct);
        var items = ImportPlan.Decide(entries, ranges, s.Network,
            k => pools.TryGetValue(k.Name, out var p) ? p.State : PoolState.Empty(k.Range), reservations, podRefs, !s.NoReservations);

        var refused = items.Any(i => i.Verdict is ImportVerdict.Conflict or ImportVerdict.OutsideRange);
        var results = new List<Line>();
        foreach (var item in items)
        {
            var result = Verdict(item.Verdict, refused ? ImportResult.Refused : s.DryRun ? ImportResult.WouldImport : ImportResult.Imported);
            var detail = refused && item.Verdict == ImportVerdict.Import ? "not written: the import is refused" : item.Detail;
            if (!refused && !s.DryRun && item.Verdict == ImportVerdict.Import)
                (result, detail) = await Import(cluster.Store, item, s, ct);
            results.Add(new Line(item.Entry.Address.ToString(), item.Entry.ContainerId, item.Entry.IfName, item.Owner.PodRef, item.Pool?.Name ?? "", result, detail));
        }
        Render(s, results.ToImmutableArray(), skipped, refused);
        return refused || results.Any(r => r.Result == ImportResult.Failed) ? ExitCodes.Findings : ExitCodes.Ok;
    }

    static ImportResult Verdict(ImportVerdict v, ImportResult forImport) => v switch
    {
        ImportVerdict.Import => forImport,
        ImportVerdict.AlreadyThere => ImportResult.AlreadyThere,
        ImportVerdict.Conflict => ImportResult.Conflict,
        _ => ImportResult.OutsideRange,
    };

    /// <summary>One address, as an ADD that requests it: idempotent per container and interface, refused if someone took it meanwhile.</summary>
    async Task<(ImportResult, string)> Import(IPoolStore store, ImportItem item, ImportSettings s, CancellationToken ct)
    {
        var scope = new NetworkScope([item.Range!], s.Network, OverlappingRanges: !s.NoReservations);
        var request = new AddRequest(item.Owner, scope, [item.Entry.Address]);
        var loop = new ConflictRetry(store, RetryPolicy.Default, host.Clock, Random.Shared.NextDouble, host.Log);
        var outcome = await loop.Run(scope.PoolKeys, (pools, known) => Allocator.Decide(request, pools, known), ct);
        return outcome.Match(
            o => o is Outcome.Allocated { Leases: [var lease] } && lease.Address == item.Entry.Address
                ? (ImportResult.Imported, item.Detail)
                : (ImportResult.Failed, $"the container already holds {string.Join(", ", ((Outcome.Allocated)o).Leases)} in this range"),
            e => (ImportResult.Failed, e.Message));
    }

    void Render(ImportSettings s, ImmutableArray<Line> lines, ImmutableArray<string> skipped, bool refused)
    {
        if (s.Output != OutputFormat.Table)
        {
            Documents.Write(host.Out, s.Output, new Document(s.Dir, s.DryRun, lines, skipped));
            return;
        }
        var table = Cells.Table("ADDRESS", "CONTAINER", "INTERFACE", "POD", "POOL", "RESULT", "DETAIL");
        foreach (var l in lines)
            table.AddRow(Cells.Text(l.Address), Cells.Text(l.ContainerId.Length > 12 ? l.ContainerId[..12] : l.ContainerId), Cells.Text(l.Interface),
                Cells.Text(l.Pod), Cells.Text(l.Pool), Results.Markup(l.Result), Cells.Text(l.Detail));
        host.Console.Write(table);
        foreach (var name in skipped) host.Console.MarkupLine($"skipped {name.EscapeMarkup()}: not an address file of host-local");
        if (refused) host.Console.MarkupLine("[red]refused[/]: nothing was written; free or exclude the conflicting addresses and run again");
        else if (s.DryRun) host.Console.MarkupLine("nothing written: --dry-run");
    }
}
