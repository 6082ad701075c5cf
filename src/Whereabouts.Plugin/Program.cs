using System.Text;
using Whereabouts.Cni;
using Whereabouts.Core.Cni;
using Whereabouts.Plugin;

// The CNI plugin: one invocation per process over the Cni library. The choices that touch the whole
// process are made here: the real environment and standard streams, the real file system, the system
// clock, and TLS trust scoped to the datastore's own CA (Stores.PluginOptions).
var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
// Raw streams: Console.In/Out first set up the terminal and a signal-handling thread (~0.3 ms), which a
// plugin whose stdio are pipes never needs; stdout goes through write(2) for the same reason (Stdout).
// stdin is read once: the bytes the agent got are the bytes direct mode serves when the agent does not.
ReadOnlyMemory<byte>? stdinBytes = null;
ReadOnlyMemory<byte> Stdin() => stdinBytes ??= ReadStdin();
// A node agent on this node, when one answers, serves the call; otherwise the plugin serves it itself.
if (AgentClient.Forward(Stdin) is { } forwarded) return Reply(forwarded);
try
{
    using var stderr = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true };
    await using var stores = new StoreCache(Stores.Opener(Stores.PluginOptions(Environment.GetEnvironmentVariable)));
    var dispatcher = new CniDispatcher(stores, LocalFiles.ReadIfExists, stderr, TimeProvider.System, Random.Shared.NextDouble);
    return Reply(await dispatcher.Serve(new CniCall(Environment.GetEnvironmentVariable, Stdin), CancellationToken.None));
}
catch (Exception e)
{
    // The dispatcher answers every failure itself; this catches what escapes it (its own wiring, stdout
    // itself failing), so the runtime still reads CNI error JSON rather than an abort.
    try { Write(CniError.From(CniDispatcher.Internal(e)).Render(CniVersion.Latest)); }
    catch (IOException) { }
    return 1;
}

int Reply(CniReply reply)
{
    if (reply.Stdout.Length > 0) Write(reply.Stdout);
    return reply.ExitCode;
}

void Write(string text) => Stdout.Write(utf8.GetBytes(text + "\n"));

// Synchronous on purpose: an async read of stdin starts the thread pool, a few ms per process.
static ReadOnlyMemory<byte> ReadStdin()
{
    using var stdin = Console.OpenStandardInput();
    using var buffer = new MemoryStream();
    stdin.CopyTo(buffer);
    return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
}
