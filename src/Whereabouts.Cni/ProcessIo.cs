namespace Whereabouts.Cni;

/// <summary>
/// The process globals a CNI plugin touches, injected so the dispatcher runs in-process in tests exactly as
/// it runs in the binary.
/// </summary>
public sealed record ProcessIo(Func<string, string?> Getenv, TextReader Stdin, TextWriter Stdout, TextWriter Stderr)
{
    public static ProcessIo FromProcess() =>
        new(Environment.GetEnvironmentVariable, Console.In, Console.Out, Console.Error);
}
