using Spectre.Console;

namespace Whereabouts.Kubectl.Output;

static class ConsoleWriters
{
    /// <summary>Plain lines on the console, through its own writer: no markup to escape, nothing re-wrapped.</summary>
    public static TextWriter Out(this IAnsiConsole console) => console.Profile.Out.Writer;
}
