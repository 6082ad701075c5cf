using Spectre.Console;
using Whereabouts.Kubectl.Access;
using Whereabouts.Stores;

namespace Whereabouts.Kubectl;

/// <summary>
/// The process around the commands, passed in so tests run them in-process: the console (a fixed-width test
/// console in tests), where errors go, the clock ages are measured by, the environment ($KUBECONFIG, $HOME),
/// and how a command opens the cluster.
/// </summary>
public sealed record KubectlHost(IAnsiConsole Console, TextWriter Error, TimeProvider Clock, Func<string, string?> Getenv)
{
    /// <summary>Store adapters log only errors (a compensation that failed), to <see cref="Error"/>.</summary>
    public Log Log => Log.ToStream(Core.Config.LogLevel.Error, Error);

    /// <summary>Where machine output (-o json|yaml) goes: the console's own writer, unwrapped.</summary>
    public TextWriter Out => Console.Profile.Out.Writer;

    public Cluster Open(AccessSettings settings) => Cluster.Open(settings, Getenv, Log);

    /// <summary>
    /// The process's console. Piped, it has no width unless $COLUMNS gives one: tables are as wide as their rows
    /// (as kubectl's are), never wrapped at an assumed 80 columns, so `| grep` sees whole rows.
    /// </summary>
    public static KubectlHost System()
    {
        var console = AnsiConsole.Console;
        if (global::System.Console.IsOutputRedirected)
            console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : Unwrapped;
        return new(console, global::System.Console.Error, TimeProvider.System, Environment.GetEnvironmentVariable);
    }

    const int Unwrapped = 1000;
}
