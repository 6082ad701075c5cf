using Whereabouts.Core.Config;

namespace Whereabouts.Stores;

/// <summary>
/// The plugin's log: lines to log_file when set, and errors only to stderr, since the runtime folds stderr
/// into its own error messages. One process per request, so a plain append per line is enough.
/// </summary>
public sealed class Log(LogLevel level, string file, TextWriter? stderr)
{
    public static readonly Log Silent = new(LogLevel.Error, "", null);

    public void Error(string message) => Write(LogLevel.Error, message);
    public void Verbose(string message) => Write(LogLevel.Verbose, message);
    public void Debug(string message) => Write(LogLevel.Debug, message);

    void Write(LogLevel at, string message)
    {
        if (at > level) return;
        var line = $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} [{at.ToString().ToLowerInvariant()}] [{Environment.ProcessId}] {message}";
        if (file.Length > 0)
        {
            try { File.AppendAllText(file, line + "\n"); }
            catch (IOException) { stderr?.WriteLine($"cannot write log_file {file}; {message}"); }
            catch (UnauthorizedAccessException) { stderr?.WriteLine($"cannot write log_file {file}; {message}"); }
        }
        else if (at == LogLevel.Error) stderr?.WriteLine(line);
    }
}
