using Whereabouts.Cni;
using Whereabouts.Core.Cni;

// The wiring table: real process I/O, the datastores, the real file system.
try
{
    var dispatcher = new CniDispatcher(ProcessIo.FromProcess(), Stores.Opener(Stores.PluginOptions(Environment.GetEnvironmentVariable)), IpamLoader.ReadIfExists);
    return await dispatcher.Run(CancellationToken.None);
}
catch (Exception e)
{
    // The dispatcher answers every failure itself; this catches what escapes it (its own wiring, stdout
    // itself failing), so the runtime still reads CNI error JSON rather than an abort.
    try
    {
        using var stdout = new StreamWriter(Console.OpenStandardOutput());
        stdout.WriteLine(CniError.From(CniDispatcher.Internal(e)).Render(CniVersion.Latest));
    }
    catch (IOException) { }
    return 1;
}
