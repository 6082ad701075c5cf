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

    public static KubectlHost System() =>
        new(AnsiConsole.Console, global::System.Console.Error, TimeProvider.System, Environment.GetEnvironmentVariable);
}
