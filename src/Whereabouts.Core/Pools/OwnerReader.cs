using System.Text.Json;

namespace Whereabouts.Core.Pools;

/// <summary>
/// An owner object as the codecs store it (<c>{"id"|"containerid": …, "podref": …, "ifname": …}</c>), read from a
/// reader on its first token and left on its last. Missing keys, other types and a non-object read as "";
/// a repeated key counts as its last value.
/// </summary>
static class OwnerReader
{
    public static Owner Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> idKey)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new Owner("", "", "");
        }
        string id = "", podRef = "", ifName = "";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var which = reader.ValueTextEquals(idKey) ? 1 : reader.ValueTextEquals("podref"u8) ? 2 : reader.ValueTextEquals("ifname"u8) ? 3 : 0;
            reader.Read();
            if (which == 0) { reader.Skip(); continue; }
            // A repeated key counts as its last value, as JsonElement reads it.
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : "";
            reader.Skip();
            if (which == 1) id = text;
            else if (which == 2) podRef = text;
            else ifName = text;
        }
        return new Owner(id, podRef, ifName);
    }
}
