using System.Diagnostics;

namespace Whereabouts.Deploy.Tests;

/// <summary>A command run to completion: its exit code and everything it printed, bounded by a timeout.</summary>
public sealed record Ran(int Exit, string Output)
{
    public Ran OrFail(string what) => Exit == 0 ? this : throw new InvalidOperationException($"{what}: exit {Exit}\n{Output}");
}

static class Run
{
    public static async Task<Ran> Command(string file, IEnumerable<string> args, TimeSpan? timeout = null, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        void Keep(string? line) { if (line is not null) lock (output) output.AppendLine(line); }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output) throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}:\n{output}");
        }
        process.WaitForExit(); // drains the output readers
        lock (output) return new Ran(process.ExitCode, output.ToString());
    }

    public static Task<Ran> Command(string file, params string[] args) => Command(file, (IEnumerable<string>)args);
}
