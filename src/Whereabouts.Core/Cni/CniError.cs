using System.Text;
using System.Text.Json;
using LanguageExt.Common;

namespace Whereabouts.Core.Cni;

/// <summary>A CNI error as printed on stdout: code, message, details.</summary>
public sealed record CniError(int Code, string Msg, string Details)
{
    /// <summary>
    /// A typed expected error carries its code, msg and details. An untyped LanguageExt error keeps a code in
    /// the CNI range (errors a library raised); an exception or anything else is internal (999).
    /// </summary>
    public static CniError From(Error error) => error switch
    {
        ExpectedError e => new CniError(e.CniCode, e.Msg, e.Details),
        Exceptional => new CniError(Errors.InternalCode, error.Message, ""),
        _ when error.Code is > 0 and < 1000 => new CniError(error.Code, error.Message, ""),
        _ => new CniError(Errors.InternalCode, error.Message, ""),
    };

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
