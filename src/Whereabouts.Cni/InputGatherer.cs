using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Config;
using Whereabouts.Core.Requests;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>
/// Runs a resolution to its end: each time it stops at an input it needs (<see cref="InputNeeded"/>), the
/// gatherer fetches that input (a file, the file-system checks of the named paths, the node's slice) and
/// resolves again. The resolution decides what is read and in what order; this only does the reading.
/// </summary>
public sealed class InputGatherer(Func<string, byte[]?> readFile, StoreCache stores, Func<IpamSettings, Log> logFor, RetryDeadline deadline)
{
    /// <summary>Enough for every file a resolution may ask for; more would mean a resolution asking for ever.</summary>
    const int MaxRounds = 64;

    public async Task<(Fin<T> Result, RawInputs Raw)> Run<T>(RawInputs raw, Func<RawInputs, Fin<T>> resolve, CancellationToken ct)
    {
        for (var round = 0; round < MaxRounds; round++)
        {
            var result = resolve(raw);
            if (result.Case is not InputNeeded needed) return (result, raw);
            raw = await Gather(raw, needed.What, ct);
        }
        throw new InvalidOperationException($"request resolution asked for more than {MaxRounds} inputs");
    }

    async Task<RawInputs> Gather(RawInputs raw, Wanted what, CancellationToken ct) => what switch
    {
        Wanted.File f => raw.With(f.Path, LocalFiles.Read(readFile, f.Path, f.LinkCheck)),
        Wanted.PathChecks p => raw with { PathsChecked = Checked(p) },
        Wanted.Slice s => raw with { Slice = await SliceOf(s, ct) },
        _ => throw new ArgumentOutOfRangeException(nameof(what)),
    };

    static Fin<Unit> Checked(Wanted.PathChecks checks)
    {
        foreach (var named in checks.Paths)
            if (LocalFiles.LinkProblem(named) is { } why) return Errors.InvalidConfig(why);
        return LocalFiles.LogFileProblem(checks.LogFile) is { } problem ? Errors.InvalidConfig(problem) : Unit.Default;
    }

    async Task<Fin<Core.Addresses.Cidr>> SliceOf(Wanted.Slice wanted, CancellationToken ct)
    {
        // Node slices live in the Kubernetes API: a network call, so the deadline must be able to end it.
        deadline.Arm();
        var store = stores.Get(wanted.Settings.Datastore, logFor(wanted.Settings));
        return Stores.NodeSlicesOf(store) is { } slices
            ? await slices.SliceOf(wanted.Pool, wanted.Node, deadline.Token)
            : Errors.InvalidIpam("node_slice_size: node slices need the kubernetes datastore");
    }
}
