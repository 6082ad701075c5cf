using System.Text;
using System.Text.Json;
using LanguageExt.Common;

namespace Whereabouts.Core.Cni;

/// <summary>A CNI error as printed on stdout: code, message, details.</summary>
public sealed record CniError(int Code, string Msg, string Details)
{
    /// <summary>
    /// An expected core error carries its CNI code; anything else is internal (999). A long validation message
    /// becomes a short msg with the full list in details.
    /// </summary>
    public static CniError From(Error error)
    {
        var code = error is Exceptional ? Errors.InternalCode : error.Code is > 0 and < 1000 ? error.Code : Errors.InternalCode;
        var message = error.Message;
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return code == Errors.InvalidConfigCode && message.StartsWith("invalid IPAM configuration: ", StringComparison.Ordinal)
            ? new CniError(code, "invalid IPAM configuration", message[(colon + 2)..])
            : new CniError(code, message, "");
    }

    public string Render(CniVersion version)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonEscaping.Indented))
        {
            w.WriteStartObject();
            w.WriteString("cniVersion", version.ToString());
            w.WriteNumber("code", Code);
            w.WriteString("msg", Msg);
            if (Details.Length > 0) w.WriteString("details", Details);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
