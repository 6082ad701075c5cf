namespace Whereabouts.Core;

/// <summary>
/// Keeps secrets out of messages: an endpoint written as <c>http://user:password@host</c> or
/// <c>user:password@host</c> is shown as <c>http://***@host</c>. Messages reach stdout, stderr, log_file and
/// the runtime's events, which namespace users can read.
/// </summary>
public static class Redaction
{
    /// <summary>One URL or endpoint with its userinfo (everything before the last '@' of the authority) replaced by ***.</summary>
    /// <remarks>By hand, not a Regex: System.Text.RegularExpressions adds its statics to every plugin start.</remarks>
    public static string Url(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var start = scheme >= 0 ? scheme + 3 : 0;
        var end = text.IndexOfAny(['/', '?', '#'], start);
        if (end < 0) end = text.Length;
        var at = end > start ? text.LastIndexOf('@', end - 1, end - start) : -1;
        return at < 0 ? text : string.Concat(text.AsSpan(0, start), "***", text.AsSpan(at));
    }

    /// <summary>A comma-separated list of endpoints (etcd_host), each redacted.</summary>
    public static string Urls(string list) => list.Contains('@') ? string.Join(",", list.Split(',').Select(Url)) : list;
}
