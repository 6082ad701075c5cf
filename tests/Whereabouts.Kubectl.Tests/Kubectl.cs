using Spectre.Console.Testing;

namespace Whereabouts.Kubectl.Tests;

/// <summary>What one in-process run of kubectl-whereabouts printed and returned.</summary>
public sealed record Run(int Code, string Out, string Error)
{
    /// <summary>Exit code, output and errors as one text, for a snapshot.</summary>
    public string Transcript => $"exit {Code}\n--- stdout\n{Out.TrimEnd()}\n--- stderr\n{Error.TrimEnd()}\n";
}

/// <summary>Runs the command table in-process, as the executable would, on a 140-column console without colour.</summary>
public static class Kubectl
{
    public const int Width = 140;

    public static async Task<Run> Run(string kubeconfig, params string[] args) =>
        await RunWith(new Dictionary<string, string> { ["HOME"] = "/nonexistent" }, [.. args, "--kubeconfig", kubeconfig]);

    public static async Task<Run> RunWith(IReadOnlyDictionary<string, string> env, string[] args, CancellationToken ct = default)
    {
        var console = new TestConsole().Width(Width);
        var error = new StringWriter();
        var host = new KubectlHost(console, error, new FixedClock(FixedClock.Noon), name => env.TryGetValue(name, out var v) ? v : null);
        var code = await KubectlApp.Run(args, host, ct);
        return new Run(code, Normalise(console.Output), Normalise(error.ToString()));
    }

    /// <summary>Trailing blanks of table rows are padding, not content.</summary>
    static string Normalise(string text) => string.Join("\n", text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()));
}
