using System.Text;
using System.Text.Json;

namespace Whereabouts.Core.Config;

/// <summary>
/// A JSON syntax error in our own words, with line and column. Not JsonException.Message: the plugin is built
/// with UseSystemResourceKeys (smaller, faster start-up), so that message is a resource key such as
/// "TrailingCommaNotAllowedBeforeObjectEnd LineNumber: 0 | BytePositionInLine: 85".
/// </summary>
public static class JsonErrorText
{
    /// <summary>"at line 1, column 86, near \"24\",}}\"" (lines and columns count from 1; columns in bytes).</summary>
    public static string Describe(ReadOnlySpan<byte> json, JsonException e)
    {
        var line = (int)Math.Min(e.LineNumber ?? 0, int.MaxValue);
        var column = (int)Math.Min(e.BytePositionInLine ?? 0, int.MaxValue);
        return $"at line {line + 1}, column {column + 1}, {What(json, OffsetOf(json, line, column))}";
    }

    /// <summary>For errors that carry no position (a string that is not valid text): where the reader stood.</summary>
    public static string Describe(ReadOnlySpan<byte> json, long offset, string what)
    {
        var at = (int)Math.Clamp(offset, 0, json.Length);
        var before = json[..at];
        var line = before.Count((byte)'\n');
        var column = at - (before.LastIndexOf((byte)'\n') + 1);
        return $"at line {line + 1}, column {column + 1}: {what}";
    }

    static int OffsetOf(ReadOnlySpan<byte> json, int line, int column)
    {
        var offset = 0;
        for (var l = 0; l < line; l++)
        {
            var next = json[offset..].IndexOf((byte)'\n');
            if (next < 0) return json.Length;
            offset += next + 1;
        }
        return Math.Min(offset + column, json.Length);
    }

    /// <summary>
    /// The text around the position, on its own line: the reader's resource key is all that would say why,
    /// and its position is where it gave up (after an incomplete value, at an unexpected character).
    /// </summary>
    static string What(ReadOnlySpan<byte> json, int offset)
    {
        var lineStart = json[..offset].LastIndexOf((byte)'\n') + 1;
        var lineEnd = json[offset..].IndexOf((byte)'\n') is var n and >= 0 ? offset + n : json.Length;
        var from = Math.Max(lineStart, offset - 24);
        var to = Math.Min(lineEnd, offset + 12);
        var near = Encoding.UTF8.GetString(json[from..to]).Trim();
        return (near.Length > 0 ? $"near \"{Visible(near)}\"" : "here") + (IsTruncated(json) ? " (the text ends before the JSON is complete)" : "");
    }

    /// <summary>The whole text is a valid beginning of JSON: read as a partial block, it gives no error.</summary>
    static bool IsTruncated(ReadOnlySpan<byte> json)
    {
        try
        {
            var r = new Utf8JsonReader(json, isFinalBlock: false, state: default);
            while (r.Read()) { }
            return r.CurrentDepth > 0 || r.TokenType == JsonTokenType.None || r.TokenType == JsonTokenType.PropertyName;
        }
        catch (JsonException) { return false; }
    }

    static string Visible(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
