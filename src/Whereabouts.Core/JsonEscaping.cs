using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Whereabouts.Core;

/// <summary>
/// JSON string escaping for everything the plugin writes: only what JSON requires (quote, backslash,
/// control characters, lone surrogates) is escaped; other text, non-ASCII included, is written as UTF-8,
/// as <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> does. Our output goes to a container runtime
/// or a datastore, never into HTML, so HTML-sensitive characters need no escaping.
/// </summary>
/// <remarks>
/// Our own encoder because the BCL's encoders share one static constructor that fills allow-lists for all
/// 65,536 UTF-16 code units: about 0.35 ms of a plugin run that writes a few hundred bytes.
/// </remarks>
public sealed class JsonEscaping : JavaScriptEncoder
{
    public static readonly JsonEscaping Minimal = new();
    public static readonly JsonWriterOptions Compact = new() { Encoder = Minimal };
    public static readonly JsonWriterOptions Indented = new() { Encoder = Minimal, Indented = true };

    JsonEscaping() { }

    /// <summary>"\u001f" is the longest form; a surrogate pair is two inputs and two such forms.</summary>
    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar is '"' or '\\' or 0x7F || unicodeScalar is >= 0xD800 and <= 0xDFFF;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var span = new ReadOnlySpan<char>(text, textLength);
        for (var i = 0; i < span.Length;)
        {
            if (Rune.DecodeFromUtf16(span[i..], out var rune, out var used) != System.Buffers.OperationStatus.Done || WillEncode(rune.Value))
                return i;
            i += used;
        }
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var escaped = Escape(unicodeScalar);
        numberOfCharactersWritten = 0;
        if (escaped.Length > bufferLength) return false;
        escaped.AsSpan().CopyTo(new Span<char>(buffer, bufferLength));
        numberOfCharactersWritten = escaped.Length;
        return true;
    }

    static string Escape(int scalar) => scalar switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\b' => "\\b",
        '\f' => "\\f",
        <= 0xFFFF => $"\\u{scalar:x4}",
        _ => Surrogates(new Rune(scalar)),
    };

    static string Surrogates(Rune rune)
    {
        Span<char> pair = stackalloc char[2];
        rune.EncodeToUtf16(pair);
        return $"\\u{(int)pair[0]:x4}\\u{(int)pair[1]:x4}";
    }
}
