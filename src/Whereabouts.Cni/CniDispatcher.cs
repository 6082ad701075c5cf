using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Cni.Commands;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Requests;
using Whereabouts.Stores;

namespace Whereabouts.Cni;

/// <summary>
/// Serves CNI invocations: resolve the request, run its verb against the store, reply with the result or
/// the CNI error (exit code 0 on success, 1 on any error, whose JSON is the reply). It holds no state of its
/// own between calls beyond the stores it has opened, so a process may serve one call or many.
/// A host that serves one datastore only (the node agent) says which (<see cref="Hosting"/>); a request for
/// another is declined, not served.
/// </summary>
public sealed class CniDispatcher(StoreCache stores, Func<string, byte[]?> readFile, TextWriter stderr, TimeProvider clock, Func<double> jitter,
    Hosting? hosting = null)
{
    readonly Hosting host = hosting ?? Hosting.Plugin;

    delegate Task<Fin<string>> Verb(Invocation inv, CancellationToken ct);

    static Verb Runs(CniVerb verb) =>
        verb == CniVerb.Add ? AddCommand.Run
        : verb == CniVerb.Del ? DelCommand.Run
        : verb == CniVerb.Check ? CheckCommand.Run
        : verb == CniVerb.Gc ? GcCommand.Run
        : verb == CniVerb.Status ? StatusCommand.Run
        : throw new ArgumentOutOfRangeException(nameof(verb), verb.Name);

    public async Task<CniReply> Serve(CniCall call, CancellationToken ct)
    {
        var version = CniVersion.Latest;
        var policy = Policy(call.Env);
        // One deadline for everything the invocation does: node-slice lookup, every store call, every retry.
        using var deadline = new RetryDeadline(policy.Deadline, clock, ct);
        RawInputs? raw = null;
        Log? log = null;
        Log LogFor(IpamSettings s) => log ??= new Log(s.LogLevel, s.LogFile, stderr);
        var inputs = new InputGatherer(readFile, stores, LogFor, deadline);
        try
        {
            // Without a known verb this is not a runtime calling: say so at once rather than wait on stdin.
            if (CniVerb.Named(call.Env("CNI_COMMAND")) is not { } verb) return Fail(version, CniEnvironment.From(call.Env).Map(_ => ""), null);
            var stdin = call.ReadStdin();
            if (verb == CniVerb.Version) return new CniReply(0, ResultRenderer.RenderVersions(CniVersion.Parse(ConfigParser.VersionOf(stdin.Span)).IfFail(CniVersion.Latest)));
            // Rendered in the configuration's cniVersion, even an environment error.
            raw = new RawInputs(call.Env, stdin);
            version = RequestResolver.ReplyVersion(raw);
            var (resolved, gathered) = await inputs.Run(raw, RequestResolver.Resolve, ct);
            raw = gathered;
            if (resolved.Case is not Request request) return Fail(version, resolved.Map(_ => ""), log ?? await ErrorLog(inputs, raw, ct));
            LogFor(request.Ipam);
            if (request.UnknownKeys.Length > 0) log!.Verbose($"unknown keys ignored: {string.Join(", ", request.UnknownKeys)}");
            // Resolution went on without the slice (DEL, GC: the whole range): say why, as the operator will ask.
            if (raw.Slice.Case is Fin<Core.Addresses.Cidr> { IsFail: true } missed)
                missed.IfFail(e => log!.Verbose($"{verb.Name} without a node slice: {e.Message}"));
            if (!host.Serves(request.Ipam.Datastore)) return CniReply.NotServedHere;
            // Network stores always may wait; the file store arms the deadline only when a call must wait.
            if (request.Ipam.Datastore is not DatastoreSettings.File) deadline.Arm();
            var store = stores.Get(request.Ipam.Datastore, log!);
            var retry = new ConflictRetry(store, policy, clock, jitter, log!, deadline);
            var result = await Runs(verb)(new Invocation(request, store, host.Runner(store, retry, deadline), log!), deadline.Token);
            return result.Match(Succ: text => new CniReply(0, text), Fail: e => Fail(version, e, log));
        }
        catch (StoreUnavailableException e)
        {
            return Fail(version, Core.Errors.OfCode(e.Code, e.Message), log ?? await ErrorLog(inputs, raw, ct));
        }
        catch (OperationCanceledException) when (deadline.Passed)
        {
            return Fail(version, deadline.Exceeded("the request"), log ?? await ErrorLog(inputs, raw, ct));
        }
        catch (OperationCanceledException)
        {
            return Fail(version, Core.Errors.TryAgainLater("the request was cancelled before it finished"), log ?? await ErrorLog(inputs, raw, ct));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(version, Core.Errors.IoFailure($"I/O error: {IoWords.Of(e)}"), log ?? await ErrorLog(inputs, raw, ct));
        }
        catch (Exception e)
        {
            // The last resort: a bug or an environment we did not foresee still gets CNI error JSON, never an abort.
            return Fail(version, Internal(e), log ?? await ErrorLog(inputs, raw, ct));
        }
    }

    /// <summary>An unexpected exception as code 999, naming its type and message (no stack: it goes to the runtime's events).</summary>
    public static Error Internal(Exception e) =>
        Core.Errors.Internal($"internal error: {e.GetType().Name}: {e.Message}; please report it with the configuration that caused it");

    /// <summary>
    /// Errors before the settings exist reach log_file too, but only one the admin's policy allows
    /// (docs/security.md); worked out only when there is an error to log, so a good request reads no extra file.
    /// </summary>
    async Task<Log?> ErrorLog(InputGatherer inputs, RawInputs? raw, CancellationToken ct)
    {
        if (raw is null) return null;
        try
        {
            var (file, _) = await inputs.Run(raw, RequestResolver.ErrorLogFile, ct);
            return file.Case is Option<NamedPath> { Case: NamedPath named } && LocalFiles.LinkProblem(named) is null && LocalFiles.LogFileProblem(named.Path) is null
                ? new Log(LogLevel.Error, named.Path, stderr)
                : null;
        }
        catch (Exception) { return null; } // the error being reported matters more than where it is logged
    }

    static CniReply Fail(CniVersion version, Fin<string> failed, Log? log) =>
        failed.Match(Succ: _ => new CniReply(0, ""), Fail: e => Fail(version, e, log));

    static CniReply Fail(CniVersion version, Error error, Log? log)
    {
        var cni = CniError.From(error);
        log?.Error($"code {cni.Code}: {cni.Msg}{(cni.Details.Length > 0 ? " (" + cni.Details + ")" : "")}");
        return new CniReply(1, cni.Render(version));
    }

    /// <summary>WHEREABOUTS_RETRY_DEADLINE_MS shortens or lengthens how long ADD/DEL keep retrying (default 30 s), read as the store options read it.</summary>
    static RetryPolicy Policy(Func<string, string?> env) =>
        Stores.RetryDeadlineFrom(env).RetryDeadline is { } deadline ? RetryPolicy.Default with { Deadline = deadline } : RetryPolicy.Default;
}
