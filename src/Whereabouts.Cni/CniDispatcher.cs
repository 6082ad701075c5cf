using System.Globalization;
using LanguageExt;
using LanguageExt.ClassInstances;
using LanguageExt.Common;
using Whereabouts.Cni.Commands;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>
/// One CNI invocation: read the environment and stdin, build the invocation, run the verb, print the result
/// or the CNI error. Exit code 0 on success, 1 on any error (whose JSON is on stdout).
/// </summary>
public sealed class CniDispatcher(ProcessIo io, StoreFactory openStore, Func<string, string?> readFile)
{
    delegate Task<Fin<string>> Verb(Invocation inv, CancellationToken ct);

    /// <summary>Each verb and the first cniVersion that has it.</summary>
    static readonly Map<OrdString, string, (Verb Run, CniVersion Since)> Verbs = Map<OrdString, string, (Verb, CniVersion)>.Empty
        .Add("ADD", (AddCommand.Run, new CniVersion(0, 1, 0)))
        .Add("DEL", (DelCommand.Run, new CniVersion(0, 1, 0)))
        .Add("CHECK", (CheckCommand.Run, CniVersion.V040))
        .Add("GC", (GcCommand.Run, CniVersion.Latest))
        .Add("STATUS", (StatusCommand.Run, CniVersion.Latest));

    public async Task<int> Run(CancellationToken ct)
    {
        var version = CniVersion.Latest;
        var policy = Policy();
        // One deadline for everything the invocation does: node-slice lookup, every store call, every retry.
        using var deadline = new RetryDeadline(policy.Deadline, TimeProvider.System, ct);
        try
        {
            var request = CniRequest.From(io.Getenv);
            if (request.Case is not CniRequest req) return Fail(version, request.Map(_ => ""));
            // Synchronous on purpose: an async read of stdin starts the thread pool, a few ms per process.
            var stdin = io.Stdin.ReadToEnd();
            if (req.Command == "VERSION") return Print(ResultRenderer.RenderVersions(VersionAsked(stdin)));
            var network = ConfigParser.ParseNetwork(stdin);
            if (network.Case is not NetworkConfig net) return Fail(version, network.Map(_ => ""));
            version = net.Version;
            var (verb, since) = Verbs.Find(req.Command).IfNone(() => throw new InvalidOperationException(req.Command));
            if (version < since)
                return Fail(version, Error.New(Core.Errors.IncompatibleVersionCode, $"{req.Command} is not supported by cniVersion {version}; it needs {since} or later"));
            var ipam = IpamLoader.Load(net, readFile);
            if (ipam.Case is not IpamSettings settings) return Fail(version, ipam.Map(_ => ""));
            var log = new Log(settings.LogLevel, settings.LogFile, io.Stderr);
            await using var store = openStore(settings.Datastore, log);
            var scoped = await NodeSliceScope.Resolve(settings, net.Name, req.Command, store, io.Getenv, readFile, log, deadline.Token);
            if (scoped.Case is not IpamSettings sliced) return Fail(version, scoped.Map(_ => ""), log);
            var retry = new ConflictRetry(store, policy, Random.Shared.NextDouble, log, deadline);
            var invocation = new Invocation(req, net, sliced, store, retry, log)
            {
                NodeName = () => Whereabouts.Stores.Kubernetes.NodeSlices.NodeName(io.Getenv, readFile, sliced.ConfigurationPath),
            };
            var result = await verb(invocation, deadline.Token);
            return result.Match(Succ: text => text.Length > 0 ? Print(text) : 0, Fail: e => Fail(version, e, log));
        }
        catch (StoreUnavailableException e)
        {
            return Fail(version, Error.New(e.Code, e.Message));
        }
        catch (OperationCanceledException) when (deadline.Passed)
        {
            return Fail(version, deadline.Exceeded("the request"));
        }
        catch (OperationCanceledException)
        {
            return Fail(version, Error.New(Core.Errors.TryAgainLaterCode, "the request was cancelled before it finished"));
        }
    }

    int Print(string text)
    {
        io.Stdout.WriteLine(text);
        return 0;
    }

    int Fail(CniVersion version, Fin<string> failed, Log? log = null) =>
        failed.Match(Succ: _ => 0, Fail: e => Fail(version, e, log));

    int Fail(CniVersion version, Error error, Log? log = null)
    {
        var cni = CniError.From(error);
        log?.Error($"code {cni.Code}: {cni.Msg}{(cni.Details.Length > 0 ? " (" + cni.Details + ")" : "")}");
        io.Stdout.WriteLine(cni.Render(version));
        return 1;
    }

    /// <summary>VERSION answers in the version the caller asked in, when it is one we speak.</summary>
    static CniVersion VersionAsked(string stdin)
    {
        return CniVersion.Parse(ConfigParser.VersionOf(stdin)).IfFail(CniVersion.Latest);
    }

    /// <summary>WHEREABOUTS_RETRY_DEADLINE_MS shortens or lengthens how long ADD/DEL keep retrying (default 30 s).</summary>
    RetryPolicy Policy()
    {
        var ms = io.Getenv("WHEREABOUTS_RETRY_DEADLINE_MS");
        return int.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? RetryPolicy.Default with { Deadline = TimeSpan.FromMilliseconds(n) }
            : RetryPolicy.Default;
    }
}
