using System.Globalization;
using LanguageExt;

namespace Whereabouts.Core.Config;

/// <summary>
/// Collects every configuration problem so the user fixes them all in one go, and turns parse results into
/// values while recording failures under the key they came from. Only the first <see cref="Shown"/> are kept
/// in the message, the rest are counted: a config with 100,000 bad entries gets a short error, not megabytes.
/// </summary>
sealed class Problems
{
    /// <summary>How many problems the message spells out.</summary>
    public const int Shown = 20;

    readonly List<string> messages = [];
    int more;

    public bool Any => messages.Count > 0;

    /// <summary>JSON paths of unknown keys that were ignored (not problems: the verbose log lists them).</summary>
    public List<string> Ignored { get; } = [];

    /// <summary>All problems seen, shown or not.</summary>
    public int Count => messages.Count + more;

    public void Add(string key, string message)
    {
        if (messages.Count < Shown) messages.Add($"{key}: {message}");
        else more++;
    }

    public Option<T> Take<T>(string key, Fin<T> result) =>
        result.Match(Succ: v => Option<T>.Some(v), Fail: e => { Add(key, e.Message); return Option<T>.None; });

    public Option<T> TakeOptional<T>(string key, string? text, Func<string, Fin<T>> parse) =>
        string.IsNullOrWhiteSpace(text) ? Option<T>.None : Take(key, parse(text));

    public LanguageExt.Common.Error ToError() =>
        Errors.InvalidIpam($"{string.Join("; ", messages)}{(more > 0 ? $"; … and {more.ToString("N0", CultureInfo.InvariantCulture)} more" : "")}");
}
