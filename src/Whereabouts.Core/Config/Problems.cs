using LanguageExt;

namespace Whereabouts.Core.Config;

/// <summary>
/// Collects every configuration problem so the user fixes them all in one go, and turns parse results into
/// values while recording failures under the key they came from.
/// </summary>
sealed class Problems
{
    readonly List<string> messages = [];

    public bool Any => messages.Count > 0;

    public void Add(string key, string message) => messages.Add($"{key}: {message}");

    public Option<T> Take<T>(string key, Fin<T> result) =>
        result.Match(Succ: v => Option<T>.Some(v), Fail: e => { Add(key, e.Message); return Option<T>.None; });

    public Option<T> TakeOptional<T>(string key, string? text, Func<string, Fin<T>> parse) =>
        string.IsNullOrWhiteSpace(text) ? Option<T>.None : Take(key, parse(text));

    public LanguageExt.Common.Error ToError() =>
        Errors.InvalidConfig($"invalid IPAM configuration: {string.Join("; ", messages)}");
}
