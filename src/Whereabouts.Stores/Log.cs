using System.Runtime.CompilerServices;
using System.Text;
using Whereabouts.Core.Config;

namespace Whereabouts.Stores;

/// <summary>
/// The plugin's log: lines to log_file when set, and errors only to stderr, since the runtime folds stderr
/// into its own error messages. One process per request, so a plain append per line is enough.
/// The file is opened once, at the first line, as every file a NetworkAttachmentDefinition may name: without
/// following a symbolic link, regular files only, no other hard link, created 0600 (<see cref="SafeFile"/>);
/// when it cannot be, lines go to stderr with the reason.
/// </summary>
public sealed class Log(LogLevel level, string file, TextWriter? stderr)
{
    public static readonly Log Silent = new(LogLevel.Error, "", null);

    /// <summary>
    /// Every line at <paramref name="level"/> or above to <paramref name="writer"/> (a long-running process's
    /// stderr, which its supervisor collects); the plugin's stderr gets errors only, as the runtime shows them.
    /// </summary>
    public static Log ToStream(LogLevel level, TextWriter writer) => new(level, "", writer) { everyLevelToStderr = true };

    bool everyLevelToStderr;

    int fd = -1;
    string refused = "";

    public bool Enabled(LogLevel at) => at <= level;

    /// <summary>Opens (or creates) a log file as <see cref="Log"/> does; the reason when it cannot be used.</summary>
    public static string? Refusal(string file)
    {
        try
        {
            FileStore.Posix.Close(Open(file));
            return null;
        }
        catch (IOException e) { return e.Message; }
    }

    static int Open(string file) => SafeFile.OpenForAppend(file);

    public void Error(string message) => Write(LogLevel.Error, message);
    public void Verbose(string message) => Write(LogLevel.Verbose, message);
    public void Debug(string message) => Write(LogLevel.Debug, message);

    // Interpolated messages are formatted only when their level is on: formatting the lines of every store
    // operation (enum names included, which Native AOT looks up by reflection) cost ~0.1 ms a run, and nested
    // interpolations set up the shared array pool's per-core buckets (~0.15 ms).
    public void Verbose([InterpolatedStringHandlerArgument("")] ref Message<AtVerbose> message) { if (message.On) Write(LogLevel.Verbose, message.Text); }
    public void Debug([InterpolatedStringHandlerArgument("")] ref Message<AtDebug> message) { if (message.On) Write(LogLevel.Debug, message.Text); }

    public interface ILevel { static abstract LogLevel Level { get; } }
    public readonly struct AtVerbose : ILevel { public static LogLevel Level => LogLevel.Verbose; }
    public readonly struct AtDebug : ILevel { public static LogLevel Level => LogLevel.Debug; }

    void Write(LogLevel at, string message)
    {
        if (at > level) return;
        var line = $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} [{at.ToString().ToLowerInvariant()}] [{Environment.ProcessId}] {message}";
        if (file.Length > 0)
        {
            try
            {
                if (fd < 0 && refused.Length == 0) fd = Open(file);
                if (fd >= 0) SafeFile.Append(fd, Encoding.UTF8.GetBytes(line + "\n"), file);
            }
            catch (IOException e) { refused = e.Message; }
            if (fd < 0 || refused.Length > 0) stderr?.WriteLine($"cannot write log_file ({refused}); {message}");
        }
        else if (at == LogLevel.Error || everyLevelToStderr) stderr?.WriteLine(line);
    }

    /// <summary>A message at level L, built only when L is on.</summary>
    [InterpolatedStringHandler]
    public ref struct Message<L> where L : struct, ILevel
    {
        readonly StringBuilder? text;
        public Message(int literalLength, int formattedCount, Log log, out bool on)
        {
            on = log.Enabled(L.Level);
            text = on ? new StringBuilder(literalLength + formattedCount * 8) : null;
        }
        public readonly bool On => text is not null;
        public readonly string Text => text?.ToString() ?? "";
        public readonly void AppendLiteral(string s) => text?.Append(s);
        public readonly void AppendFormatted<T>(T value) => text?.Append(value);
        public readonly void AppendFormatted<T>(T value, string? format) => text?.Append(value is IFormattable f ? f.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : value?.ToString());
    }
}
