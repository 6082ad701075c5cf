using System.Collections.Immutable;
using System.ComponentModel;
using LanguageExt;
using Spectre.Console;
using Spectre.Console.Cli;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;
using Whereabouts.Kubectl.Access;
using Whereabouts.Kubectl.Model;
using Whereabouts.Kubectl.Output;
using Whereabouts.Stores;

namespace Whereabouts.Kubectl.Commands;

public sealed class ReleaseSettings : ReadSettings
{
    [CommandArgument(0, "<ADDRESS|POD>")]
    [Description("An address (10.0.0.5, fd00::5) or a pod (namespace/name): everything it holds is freed")]
    public string Target { get; init; } = "";

    [CommandOption("--pool <NAME>")]
    [Description("Only in this pool (needed when the address is held in more than one)")]
    public string? Pool { get; init; }

    [CommandOption("--force")]
    [Description("Release even though the pod exists and has not terminated")]
    public bool Force { get; init; }

    [CommandOption("--dry-run")]
    [Description("Print what would be written, and write nothing")]
    public bool DryRun { get; init; }
}

/// <summary>
/// <c>release</c>: frees addresses as the controller reclaims a leak, through the store's compare-and-swap loop:
/// each pool's plan (<see cref="ReclaimPlan"/>: exactly these allocations, then their reservations, each delete
/// guarded by its owner) is decided again on every fresh read, so a pod that took the address meanwhile keeps it.
/// </summary>
public sealed class ReleaseCommand(KubectlHost host) : AsyncCommand<ReleaseSettings>
{
    public sealed record Line(string Address, string Pool, string Pod, string ContainerId, string Interface, ReleaseResult Result);

    public sealed record Document(string Target, bool DryRun, ImmutableArray<Line> Released, ImmutableArray<string> Writes);

    public override async Task<int> ExecuteAsync(CommandContext context, ReleaseSettings s, CancellationToken ct)
    {
        await using var cluster = host.Open(s);
        var view = await cluster.Read(withReservations: true, withPods: true, ct);
        var target = Target.Parse(s.Target, view.Pools.Select(p => p.Key.Name));
        switch (ReleaseChoice.Decide(view, target, s.Pool ?? "", s.Force))
        {
            case ReleaseDecision.Refused refused:
                host.Error.WriteLine($"refused: {refused.Why}");
                return ExitCodes.Findings;
            case ReleaseDecision.NothingHeld:
                host.Error.WriteLine($"nothing in {cluster.StoreName} is held by {target}{(s.Pool is { Length: > 0 } p ? $" in pool {p}" : "")}");
                return ExitCodes.NotFound;
            case ReleaseDecision.Release release:
                var lines = ImmutableArray.CreateBuilder<Line>();
                var writes = ImmutableArray.CreateBuilder<string>();
                foreach (var pool in release.Holdings.GroupBy(h => h.Pool))
                {
                    var allocations = pool.Select(h => h.Allocation).ToImmutableArray();
                    var (plan, released) = s.DryRun
                        ? Planned(view, pool.Key, allocations)
                        : await Released(cluster.Store, pool.Key, allocations, view.Reservations, ct);
                    writes.AddRange(plan.Ops.Select(PlanExecutor.Describe));
                    lines.AddRange(pool.Select(h => new Line(h.Address.ToString(), h.Pool.Name, h.Allocation.Owner.PodRef, h.Allocation.Owner.ContainerId,
                        h.Allocation.Owner.IfName, s.DryRun ? ReleaseResult.WouldRelease : released.Contains(h.Allocation) ? ReleaseResult.Released : ReleaseResult.AlreadyGone)));
                }
                foreach (var orphan in release.Orphans)
                {
                    var delete = Reclaimer.OrphanDelete(orphan);
                    delete.IfSome(d => writes.Add(PlanExecutor.Describe(d)));
                    var result = !s.DryRun ? await DeleteOrphan(cluster.Store, orphan, ct)
                        : delete.IsSome ? ReleaseResult.WouldRelease : ReleaseResult.NotAnAddress;
                    lines.Add(new Line(delete.Match(d => d.Key.Address.ToString(), () => orphan.Name), "", orphan.Owner.PodRef, orphan.Owner.ContainerId, orphan.Owner.IfName, result));
                }
                Render(s, target, lines.ToImmutable(), writes.ToImmutable());
                return ExitCodes.Ok;
            default:
                throw new InvalidOperationException("unknown release decision");
        }
    }

    static (Plan, ImmutableArray<Allocation>) Planned(ClusterView view, PoolKey key, ImmutableArray<Allocation> allocations)
    {
        var pool = view.Pools.First(p => p.Key == key);
        return (ReclaimPlan.For(pool, allocations, view.Reservations), pool.State.Allocations.Where(allocations.Contains).ToImmutableArray());
    }

    /// <summary>One pool's release, as the controller's sweep releases leaks: the plan that finally landed, and which of the allocations it freed.</summary>
    async Task<(Plan, ImmutableArray<Allocation>)> Released(IPoolStore store, PoolKey key, ImmutableArray<Allocation> allocations,
        ImmutableArray<ReservationEntry> reservations, CancellationToken ct) =>
        (await new Reclaimer(store, host.Clock, host.Log).Release(key, allocations, reservations, ct)).Match(
            done => (done.Plan, done.Freed),
            e => throw new StoreUnavailableException($"releasing from pool {key}: {e.Message}", transient: false));

    /// <summary>Reads every pool again first (a pool made since the view could back it), then deletes only from the owner seen.</summary>
    async Task<ReleaseResult> DeleteOrphan(IPoolStore store, ReservationEntry orphan, CancellationToken ct) =>
        await new Reclaimer(store, host.Clock, host.Log).DeleteOrphan(orphan, await store.ListPools("", ct), ct) switch
        {
            OrphanDeletion.Deleted => ReleaseResult.Released,
            OrphanDeletion.AlreadyGone => ReleaseResult.AlreadyGone,
            OrphanDeletion.BackedAgain => ReleaseResult.HeldAgain,
            OrphanDeletion.NotAnAddress => ReleaseResult.NotAnAddress,
            _ => ReleaseResult.TakenOver,
        };

    void Render(ReleaseSettings s, Target target, ImmutableArray<Line> lines, ImmutableArray<string> writes)
    {
        if (s.Output != OutputFormat.Table)
        {
            Documents.Write(host.Out, s.Output, new Document(target.ToString(), s.DryRun, lines, writes));
            return;
        }
        var table = Cells.Table("ADDRESS", "POOL", "POD", "CONTAINER", "INTERFACE", "RESULT");
        // An orphaned reservation has no pool: its line says "reservation" there.
        foreach (var l in lines)
            table.AddRow(Cells.Text(l.Address), l.Pool.Length > 0 ? Cells.Text(l.Pool) : "[grey](reservation)[/]", Cells.Text(l.Pod), Cells.Text(l.ContainerId.Length > 12 ? l.ContainerId[..12] : l.ContainerId),
                Cells.Text(l.Interface), Results.Markup(l.Result));
        host.Console.Write(table);
        if (s.DryRun)
        {
            host.Console.MarkupLine("[bold]would write[/] (nothing written: --dry-run)");
            foreach (var w in writes) host.Console.MarkupLine($"  {w.EscapeMarkup()}");
        }
    }
}
