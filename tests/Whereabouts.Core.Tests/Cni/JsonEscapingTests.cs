using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Whereabouts.Core.Tests.Cni;

/// <summary>Our JSON string escaping, checked against simple models.</summary>
public sealed class JsonEscapingTests
{
    static string Written(string value)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonEscaping.Compact)) w.WriteStringValue(value);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Any text, lone surrogates aside, reads back as written.</summary>
    [Fact]
    public void EveryWellFormedStringRoundTrips() =>
        Gen.String[Gen.Char, 0, 40].Where(s => !HasLoneSurrogate(s))
            .Sample(s => Assert.Equal(s, JsonSerializer.Deserialize<string>(Written(s))));

    /// <summary>Model: printable text is written as itself, with only quote and backslash escaped.</summary>
    [Fact]
    public void PrintableTextIsEscapedOnlyWhereJsonRequires() =>
        Gen.String[Gen.OneOf(Gen.Char['\x20', '\x7e'], Gen.Char['\u00a0', '\ud7ff']), 0, 40]
            .Sample(s => Assert.Equal("\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"", Written(s)));

    [Theory]
    [InlineData("a\nb", "\"a\\nb\"")]
    [InlineData("\t\r\b\f", "\"\\t\\r\\b\\f\"")]
    [InlineData("\u0001\u001f\u007f", "\"\\u0001\\u001f\\u007f\"")]
    [InlineData("<pod>&'+`", "\"<pod>&'+`\"")]
    [InlineData("ünïcødé 🛰", "\"ünïcødé 🛰\"")]
    public void ControlCharactersAreEscapedAndEverythingElseIsLeftAlone(string value, string json) =>
        Assert.Equal(json, Written(value));

    [Fact]
    public void ALoneSurrogateIsNeverWrittenRaw() =>
        Assert.DoesNotContain("\ud800", Written("a\ud800b"));

    static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return true;
        }
        return false;
    }
}
