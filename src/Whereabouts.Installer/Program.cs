using System.Runtime.InteropServices;
using Whereabouts.Installer;

// whereabouts-install: puts the plugin, its kubeconfig, the flat file and the nodename file on the node;
// --watch then keeps the kubeconfig's token current until SIGTERM; --uninstall takes them away again.
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(InstallerOptions.Usage);
    return 0;
}
var (options, error) = InstallerOptions.Parse(args, Environment.GetEnvironmentVariable);
if (options is null)
{
    Console.Error.WriteLine($"whereabouts-install: {error}\n{InstallerOptions.Usage}");
    return 2;
}
var installation = new Installation(options, Console.Error);
try
{
    if (options.Uninstall)
    {
        installation.Uninstall();
        return 0;
    }
    installation.Install();
    if (!options.Watch) return 0;
    using var stop = new CancellationTokenSource();
    using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
    await installation.WatchAsync(stop.Token);
    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
{
    Console.Error.WriteLine($"whereabouts-install: {e.Message}");
    return 1;
}
