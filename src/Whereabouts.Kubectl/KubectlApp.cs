using System.Net.Http;
using k8s.Autorest;
using k8s.Exceptions;
using Spectre.Console.Cli;
using Whereabouts.Kubectl.Commands;
using Whereabouts.Stores;

namespace Whereabouts.Kubectl;

/// <summary>The command table of kubectl-whereabouts and what each failure means as an exit code (<see cref="ExitCodes"/>).</summary>
public static class KubectlApp
{
    public static Task<int> Run(string[] args, KubectlHost host, CancellationToken ct = default)
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            // Spectre's own container builds each command with the host it is given.
            c.Settings.Registrar.RegisterInstance(host);
            c.SetApplicationName("kubectl whereabouts");
            c.ConfigureConsole(host.Console);
            c.SetExceptionHandler((e, _) => Failed(e, host.Error));
            c.SetHelpProvider(new KubectlHelp(c.Settings));
            c.AddExample("pools");
            c.AddExample("show", "default/web-1");
            c.AddExample("check", "-o", "json");
            c.AddExample("release", "10.10.0.5", "--dry-run");
            c.AddExample("import", "--from-host-local", "/var/lib/cni/networks/macvlan-net", "--range", "10.10.0.0/24", "--dry-run");
            c.AddCommand<PoolsCommand>("pools")
                .WithDescription("Every pool with its range, network, node slice, size, use and a usage bar, fullest first")
                .WithExample("pools").WithExample("pools", "--watch").WithExample("pools", "-o", "json");
            c.AddCommand<ShowCommand>("show")
                .WithDescription("Who holds what: address, pod, container, interface, the pod's node and age")
                .WithExample("show", "10.10.0.5").WithExample("show", "blue-10.10.0.0-24").WithExample("show", "default/web-1").WithExample("show", "10.10.0.0/24", "-o", "yaml");
            c.AddCommand<CheckCommand>("check")
                .WithDescription("Pools against reservations against live pods: addresses held twice, allocations whose pod is gone, " +
                                 "reservations without allocation, allocations without reservation, addresses outside their range. Exit 1 when anything is wrong")
                .WithExample("check").WithExample("check", "-o", "json");
            c.AddCommand<ReleaseCommand>("release")
                .WithDescription("Free an address or everything a pod holds, through the same compare-and-swap plan as the controller's reclaim " +
                                 "(the pool write, then the reservations it held), and its reservations no pool backs. " +
                                 "Refuses while the pod exists and has not terminated, unless --force")
                .WithExample("release", "10.10.0.5", "--dry-run").WithExample("release", "default/web-1").WithExample("release", "10.10.0.5", "--pool", "blue-10.10.0.0-24", "--force");
            c.AddCommand<ImportCommand>("import")
                .WithDescription("Turn host-local's files into allocations, for a network moving from host-local to Whereabouts (each address as an ADD that " +
                                 "requests it; refuses, writing nothing, if any address is someone else's). Pools written by upstream Whereabouts need no import: " +
                                 "they are read as they are")
                .WithExample("import", "--from-host-local", "/var/lib/cni/networks/macvlan-net", "--range", "10.10.0.0/24", "--network", "blue", "--dry-run");
        });
        return app.RunAsync(args, ct);
    }

    static int Failed(Exception e, TextWriter error)
    {
        var (code, message) = e switch
        {
            CommandAppException or UsageException => (ExitCodes.Usage, e.Message),
            StoreUnavailableException or KubeConfigException or HttpRequestException or HttpOperationException =>
                (ExitCodes.Unavailable, Message(e)),
            OperationCanceledException => (ExitCodes.Unavailable, "timed out or interrupted"),
            _ => (ExitCodes.Unavailable, $"{e.GetType().Name}: {e.Message}"),
        };
        error.WriteLine($"error: {message}");
        if (code == ExitCodes.Usage) error.WriteLine("see kubectl whereabouts --help, or kubectl whereabouts COMMAND --help");
        return code;
    }

    static string Message(Exception e) => e is HttpOperationException h
        ? $"{(int)h.Response.StatusCode} {h.Response.ReasonPhrase}: {h.Response.Content}"
        : e.Message;
}
