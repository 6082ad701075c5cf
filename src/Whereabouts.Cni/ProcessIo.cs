using System.Text;

namespace Whereabouts.Cni;

/// <summary>
/// The process globals a CNI plugin touches, injected so the dispatcher runs in-process in tests exactly as
/// it runs in the binary.
/// </summary>
public sealed record ProcessIo(Func<string, string?> Getenv, TextReader Stdin, TextWriter Stdout, TextWriter Stderr)
{
    static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// The standard streams, opened raw: Console.In/Out first set up the terminal and a signal-handling
    /// thread (~0.3 ms), which a plugin whose stdio are pipes never needs.
    /// </summary>
    public static ProcessIo FromProcess() =>
        new(Environment.GetEnvironmentVariable,
            new StreamReader(Console.OpenStandardInput(), Utf8),
            new StreamWriter(Console.OpenStandardOutput(), Utf8) { AutoFlush = true },
            new StreamWriter(Console.OpenStandardError(), Utf8) { AutoFlush = true });
}
