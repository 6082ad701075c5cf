using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Whereabouts.Cni;

namespace Whereabouts.Plugin;

/// <summary>
/// The agent's HTTP response, read as it arrives, and what its JSON body says:
/// <code>
///   HTTP/1.1 200 OK\r\n
///   Content-Length: 31\r\n                 (or Transfer-Encoding: chunked)
///   \r\n
///   {"exitCode":0,"stdout":"{…}"}          → the reply the runtime gets
///   {"direct":true}                        → the agent does not serve this datastore: direct mode
/// </code>
/// Anything else (another status, a body cut short, JSON of another shape) is unusable: direct mode.
/// </summary>
static class AgentReply
{
    public enum Framing { Incomplete, Whole, Unusable }

    /// <summary>Whether <paramref name="response"/>, all bytes so far, holds a whole 200 response; its body when it does.</summary>
    public static Framing Frame(ReadOnlySpan<byte> response, bool ended, out byte[] body)
    {
        body = [];
        var headEnd = response.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0) return ended ? Framing.Unusable : Framing.Incomplete;
        var lines = Encoding.Latin1.GetString(response[..headEnd]).Split("\r\n");
        var status = lines[0].Split(' ');
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || status[1] != "200") return Framing.Unusable;
        long? length = null;
        var chunked = false;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) return Framing.Unusable;
            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, null, out var n)) return Framing.Unusable;
                length = n;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        }
        var rest = response[(headEnd + 4)..];
        // Chunked wins over a Content-Length (RFC 9112 §6.3); with neither, the body runs to the close.
        if (chunked) return Dechunk(rest, ended, out body);
        if (length is not { } whole) return ended ? Take(rest, out body) : Framing.Incomplete;
        if (rest.Length < whole) return ended ? Framing.Unusable : Framing.Incomplete;
        return Take(rest[..(int)whole], out body);
    }

    static Framing Take(ReadOnlySpan<byte> bytes, out byte[] body)
    {
        body = bytes.ToArray();
        return Framing.Whole;
    }

    // size-in-hex[;extension]\r\n data \r\n … 0\r\n [trailer lines\r\n] \r\n
    static Framing Dechunk(ReadOnlySpan<byte> rest, bool ended, out byte[] body)
    {
        body = [];
        var data = new List<byte>();
        var cut = ended ? Framing.Unusable : Framing.Incomplete;
        while (true)
        {
            var eol = rest.IndexOf("\r\n"u8);
            if (eol < 0) return cut;
            var sizeText = rest[..eol];
            if (sizeText.IndexOf((byte)';') is var semicolon and >= 0) sizeText = sizeText[..semicolon];
            sizeText = sizeText.Trim((byte)' ');
            if (sizeText.IsEmpty || !Utf8Parser.TryParse(sizeText, out int size, out var used, 'x') || used != sizeText.Length) return Framing.Unusable;
            rest = rest[(eol + 2)..];
            if (size == 0) break;
            if (rest.Length < size + 2) return cut;
            if (!rest.Slice(size, 2).SequenceEqual("\r\n"u8)) return Framing.Unusable;
            data.AddRange(rest[..size]);
            rest = rest[(size + 2)..];
        }
        // Trailer lines, none expected, up to the empty line that ends the message.
        while (true)
        {
            var eol = rest.IndexOf("\r\n"u8);
            if (eol < 0) return cut;
            if (eol == 0) break;
            rest = rest[(eol + 2)..];
        }
        body = [.. data];
        return Framing.Whole;
    }

    /// <summary>The reply in a whole body; null for direct mode, asked for or because the body is not a reply.</summary>
    public static CniReply? Read(byte[] body)
    {
        try
        {
            var json = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject) return null;
            int? exitCode = null;
            string? stdout = null;
            var direct = false;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var name = json.GetString();
                json.Read();
                switch (name)
                {
                    case "exitCode" when json.TokenType == JsonTokenType.Number && json.TryGetInt32(out var code) && code is >= 0 and <= 255:
                        exitCode = code;
                        break;
                    case "stdout" when json.TokenType == JsonTokenType.String:
                        stdout = json.GetString();
                        break;
                    case "direct" when json.TokenType is JsonTokenType.True or JsonTokenType.False:
                        direct = json.GetBoolean();
                        break;
                    case "exitCode" or "stdout" or "direct":
                        return null;
                    default:
                        json.Skip();
                        break;
                }
            }
            // The object closed and nothing follows it.
            if (json.TokenType != JsonTokenType.EndObject || json.Read()) return null;
            if (direct) return null;
            return exitCode is { } exit && stdout is not null ? new CniReply(exit, stdout) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
