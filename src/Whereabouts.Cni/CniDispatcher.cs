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
        Log? log = null;
        NetworkConfig? early = null;
        // Errors before the settings exist reach log_file too, but only one the admin's policy allows
        // (docs/security.md); worked out only when there is an error to log, so a good request reads no extra file.
        Log? ErrorLog()
        {
            try { return log ?? (early is not null && IpamLoader.ErrorLogFile(early, readFile) is { } file ? new Log(LogLevel.Error, file, io.Stderr) : null); }
            catch (Exception) { return null; } // the error being reported matters more than where it is logged
        }
        try
        {
            var command = io.Getenv("CNI_COMMAND") ?? "";
            // Without a known verb this is not a runtime calling: say so at once rather than wait on stdin.
            if (!CniRequest.IsVerb(command)) return Fail(version, CniRequest.From(io.Getenv).Map(_ => ""));
            // Synchronous on purpose: an async read of stdin starts the thread pool, a few ms per process.
            var stdin = io.Stdin.ReadToEnd();
            if (command == "VERSION") return Print(ResultRenderer.RenderVersions(VersionAsked(stdin)));
            // stdin first, so that even an environment error is rendered in the config's cniVersion.
            var network = ConfigParser.ParseNetwork(stdin);
            if (network.Case is NetworkConfig parsed)
            {
                version = parsed.Version;
                early = parsed;
            }
            var request = CniRequest.From(io.Getenv);
            if (request.Case is not CniRequest req) return Fail(version, request.Map(_ => ""), ErrorLog());
            if (network.Case is not NetworkConfig net) return Fail(version, network.Map(_ => ""), ErrorLog());
            var named = CniRequest.CheckNetworkName(net.Name);
            if (named.IsFail) return Fail(version, named.Map(_ => ""), ErrorLog());
            var (verb, since) = Verbs.Find(req.Command).IfNone(() => throw new InvalidOperationException(req.Command));
            if (version < since)
                return Fail(version, Core.Errors.IncompatibleVersion($"{req.Command} is not supported by cniVersion {version}; it needs {since} or later"), ErrorLog());
            var ipam = IpamLoader.Load(net, readFile);
            if (ipam.Case is not IpamSettings settings) return Fail(version, ipam.Map(_ => ""), ErrorLog());
            log = new Log(settings.LogLevel, settings.LogFile, io.Stderr);
            if (net.Ipam.UnknownKeys.Count > 0) log.Verbose($"unknown keys ignored: {string.Join(", ", net.Ipam.UnknownKeys)}");
            // Network stores always may wait; the file store arms the deadline only when a call must wait.
            if (settings.Datastore is not DatastoreSettings.File) deadline.Arm();
            await using var store = openStore(settings.Datastore, log);
            var scoped = await NodeSliceScope.Resolve(settings, net.Name, req.Command, store, io.Getenv, readFile, log, deadline.Token);
            if (scoped.Case is not IpamSettings sliced) return Fail(version, scoped.Map(_ => ""), log);
            var retry = new ConflictRetry(store, policy, TimeProvider.System, Random.Shared.NextDouble, log, deadline);
            var invocation = new Invocation(req, net, sliced, store, retry, log)
            {
                NodeName = () => Whereabouts.Stores.Kubernetes.NodeSlices.NodeName(io.Getenv, readFile, sliced.ConfigurationPath),
            };
            var result = await verb(invocation, deadline.Token);
            return result.Match(Succ: text => text.Length > 0 ? Print(text) : 0, Fail: e => Fail(version, e, log));
        }
        catch (StoreUnavailableException e)
        {
            return Fail(version, Core.Errors.OfCode(e.Code, e.Message), ErrorLog());
        }
        catch (OperationCanceledException) when (deadline.Passed)
        {
            return Fail(version, deadline.Exceeded("the request"), ErrorLog());
        }
        catch (OperationCanceledException)
        {
            return Fail(version, Core.Errors.TryAgainLater("the request was cancelled before it finished"), ErrorLog());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(version, Core.Errors.IoFailure($"I/O error: {IoWords(e)}"), ErrorLog());
        }
        catch (Exception e)
        {
            // The last resort: a bug or an environment we did not foresee still gets CNI error JSON, never an abort.
            return Fail(version, Internal(e), ErrorLog());
        }
    }

    /// <summary>
    /// An I/O failure in our own words and its path: the plugin is built with UseSystemResourceKeys, so the
    /// runtime's own message is a resource key ("IO_PathNotFound_Path, /x") rather than a sentence.
    /// </summary>
    internal static string IoWords(Exception e)
    {
        var what = e switch
        {
            FileNotFoundException => "no such file",
            DirectoryNotFoundException => "no such directory",
            UnauthorizedAccessException => "permission denied (the plugin runs as root: check the path's owner, mode and mounts, e.g. a read-only file system)",
            PathTooLongException => "the path is too long",
            EndOfStreamException => "the file ended early",
            _ => "the operation failed",
        };
        var path = e is FileNotFoundException { FileName: { Length: > 0 } name } ? name : PathIn(e.Message);
        return path.Length > 0 ? $"{what}: {path}" : what;
    }

    /// <summary>
    /// The path a runtime I/O message names: after the resource key ("Key, /path") or in quotes ('/path').
    /// </summary>
    static string PathIn(string message)
    {
        var quoted = message.IndexOf('\'');
        if (quoted >= 0 && message.IndexOf('\'', quoted + 1) is var end and > 0) return message[(quoted + 1)..end];
        var comma = message.IndexOf(", ", StringComparison.Ordinal);
        var isKey = comma > 0 && message[..comma].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return isKey ? message[(comma + 2)..] : "";
    }

    /// <summary>An unexpected exception as code 999, naming its type and message (no stack: it goes to the runtime's events).</summary>
    public static Error Internal(Exception e) =>
        Core.Errors.Internal($"internal error: {e.GetType().Name}: {e.Message}; please report it with the configuration that caused it");

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
