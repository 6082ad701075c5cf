using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using LanguageExt;
using LanguageExt.Common;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Engine;

namespace Whereabouts.Core.Config;

/// <summary>
/// Parses the network configuration from stdin, and the IPAM object inside it, in one pass of a
/// Utf8JsonReader (see <see cref="IpamReader"/> on why not a JSON tree).
/// </summary>
public static class ConfigParser
{
    public static Fin<NetworkConfig> ParseNetwork(string stdin) => ParseNetwork(Encoding.UTF8.GetBytes(stdin));

    /// <summary>The configuration as the runtime wrote it: bytes, read once, never turned into a string first.</summary>
    public static Fin<NetworkConfig> ParseNetwork(ReadOnlyMemory<byte> stdin)
    {
        string version = "", name = "";
        IpamDto? ipam = null;
        var ipamProblems = new Problems();
        var ips = ImmutableArray<string>.Empty;
        Option<ImmutableArray<string>> previous = None;
        Fin<ImmutableArray<Attachment>>? attachments = null;
        var bytes = stdin.Span;
        var r = new Utf8JsonReader(bytes);
        try
        {
            if (!r.Read()) return Errors.DecodeFailure("network configuration on stdin is not valid JSON: it is empty");
            if (r.TokenType != JsonTokenType.StartObject) return Errors.DecodeFailure("network configuration on stdin is not a JSON object");
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var key = r.GetString()!;
                r.Read();
                switch (key)
                {
                    case "cniVersion" when !IsTextOrNull(r): return NotAString("cniVersion", r);
                    case "name" when !IsTextOrNull(r): return NotAString("name", r);
                    case "cniVersion": version = Text(ref r); break;
                    case "name": name = Text(ref r); break;
                    case "ipam" when r.TokenType == JsonTokenType.StartObject: ipam = IpamReader.Read(ref r, ipamProblems, "$"); break;
                    case "ipam": ipam = null; r.Skip(); break;
                    case "runtimeConfig": ips = RuntimeIps(ref r); break;
                    case "prevResult" when r.TokenType == JsonTokenType.StartObject: previous = PreviousAddresses(ref r); break;
                    case var k when GoJsonNames.Match(k, ValidAttachmentsKey):
                        // As Go's decoder: the last occurrence wins, but a bad one is an error whatever follows.
                        var listed = ValidAttachments(ref r);
                        attachments = attachments is { IsFail: true } ? attachments : listed;
                        break;
                    default: r.Skip(); break;
                }
            }
            while (r.Read()) { } // the rest must be well-formed too
        }
        catch (JsonException e)
        {
            return Errors.DecodeFailure($"network configuration on stdin is not valid JSON {JsonErrorText.Describe(bytes, e)}");
        }
        catch (InvalidOperationException)
        {
            // GetString on an escape that is not text ("\ud800", a lone surrogate).
            return Errors.DecodeFailure($"network configuration on stdin is not valid JSON {JsonErrorText.Describe(bytes, r.TokenStartIndex, "a string holds an escape that is not text (a lone surrogate)")}");
        }
        return from v in CniVersion.Parse(version)
               from i in ipam is not null ? Fin<IpamDto>.Succ(ipam) : Errors.InvalidConfig("the network configuration has no \"ipam\" object")
               from _ in ipamProblems.Any ? ipamProblems.ToError() : Fin<Unit>.Succ(Unit.Default)
               from runtimeIps in ips.TraverseAll(s => AddressParser.ParseWithOptionalPrefix(s).Match(Succ: a => Fin<Address>.Succ(a), Fail: e => Errors.InvalidConfig($"runtimeConfig.ips: {e.Message}")))
               select new NetworkConfig(v, name, i, runtimeIps, previous,
                   attachments ?? Errors.InvalidConfig($"GC needs \"{ValidAttachmentsKey}\" in the network configuration: the list of attachments still in use (an empty list releases every one this node owns)"));
    }

    /// <summary>
    /// cniVersion and name are strings, as the reference decoder reads them: another JSON type is a decoding
    /// error (6), not a missing value; null reads as absent, as Go's decoder reads it.
    /// </summary>
    static bool IsTextOrNull(Utf8JsonReader r) => r.TokenType is JsonTokenType.String or JsonTokenType.Null;

    static Error NotAString(string key, Utf8JsonReader r) =>
        Errors.DecodeFailure($"network configuration on stdin cannot be decoded: \"{key}\" must be a string, not {r.TokenType switch
        {
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.Number => "a number",
            _ => "a boolean",
        }}");

    /// <summary>cniVersion of a configuration, or "" when it has none or is not JSON (VERSION answers anyway).</summary>
    public static string VersionOf(string stdin) => VersionOf(Encoding.UTF8.GetBytes(stdin));

    public static string VersionOf(ReadOnlySpan<byte> stdin)
    {
        try
        {
            var r = new Utf8JsonReader(stdin);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return "";
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var isVersion = r.ValueTextEquals("cniVersion"u8);
                r.Read();
                if (isVersion) return Text(ref r);
                r.Skip();
            }
        }
        catch (JsonException) { }
        catch (InvalidOperationException) { }
        return "";
    }

    /// <summary>Validates an IPAM object already merged with the flat file.</summary>
    public static Fin<IpamSettings> ParseIpam(IpamDto ipam) => IpamValidation.Validate(ipam);

    static Option<ImmutableArray<string>> None => Option<ImmutableArray<string>>.None;

    /// <summary>runtimeConfig.ips (the "ips" capability): addresses, optionally with a prefix that is ignored.</summary>
    static ImmutableArray<string> RuntimeIps(ref Utf8JsonReader r)
    {
        var ips = ImmutableArray<string>.Empty;
        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return ips; }
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isIps = r.ValueTextEquals("ips"u8);
            r.Read();
            if (isIps) ips = Texts(ref r);
            else r.Skip();
        }
        return ips;
    }

    /// <summary>prevResult's addresses: ips[].address (0.3.0 and later), or ip4.ip and ip6.ip (0.1.0, 0.2.0).</summary>
    static Option<ImmutableArray<string>> PreviousAddresses(ref Utf8JsonReader r)
    {
        var listed = ImmutableArray.CreateBuilder<string>();
        var legacy = ImmutableArray.CreateBuilder<string>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var key = r.GetString();
            r.Read();
            if (key == "ips" && r.TokenType == JsonTokenType.StartArray)
            {
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    if (Field(ref r, "address"u8) is { Length: > 0 } a) listed.Add(a);
            }
            else if (key is "ip4" or "ip6") { if (Field(ref r, "ip"u8) is { Length: > 0 } a) legacy.Add(a); }
            else r.Skip();
        }
        return listed.ToImmutable().AddRange(legacy);
    }

    const string ValidAttachmentsKey = "cni.dev/valid-attachments";

    /// <summary>
    /// cni.dev/valid-attachments, which the runtime passes with GC: an array of objects, each with a string
    /// "containerID" and "ifname". GC releases what is not listed, so anything else is refused (code 7) rather
    /// than read as an empty list. Keys match as the reference decoder (libcni's types.GCAttachment, Go
    /// encoding/json) matches them: case-insensitively ("containerId" is "containerID"), the last of duplicates
    /// winning, other keys ignored. Go would also take null, a null entry or a missing field as empty; for GC that
    /// would release live attachments, so those are errors here.
    /// </summary>
    static Fin<ImmutableArray<Attachment>> ValidAttachments(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            var found = r.TokenType;
            r.Skip();
            return Errors.InvalidConfig($"\"{ValidAttachmentsKey}\" must be an array of {{\"containerID\", \"ifname\"}} objects, not {Kind(found)}");
        }
        var list = ImmutableArray.CreateBuilder<Attachment>();
        var problems = new List<string>(); // the first five; a huge list costs a count, not a message
        var problemCount = 0;
        void Problem(string what) { if (problemCount++ < 5) problems.Add(what); }
        for (var index = 0; r.Read() && r.TokenType != JsonTokenType.EndArray; index++)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                Problem($"entry {index} is {Kind(r.TokenType)}, not an object");
                r.Skip();
                continue;
            }
            string? id = null, ifName = null;
            bool idBad = false, ifBad = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var key = r.GetString()!;
                r.Read();
                var isId = GoJsonNames.Match(key, "containerID");
                var isIf = !isId && GoJsonNames.Match(key, "ifname");
                var text = r.TokenType == JsonTokenType.String ? r.GetString() : null;
                if (text is null) r.Skip();
                if (isId) (id, idBad) = (text, idBad || text is null);
                else if (isIf) (ifName, ifBad) = (text, ifBad || text is null);
            }
            if (idBad || id is null) Problem($"entry {index} has no string \"containerID\"");
            if (ifBad || ifName is null) Problem($"entry {index} has no string \"ifname\"");
            if (!idBad && !ifBad && id is not null && ifName is not null) list.Add(new Attachment(id, ifName));
        }
        if (problemCount == 0) return list.ToImmutable();
        var more = problemCount > problems.Count ? $"; and {problemCount - problems.Count} more" : "";
        return Errors.InvalidConfig($"\"{ValidAttachmentsKey}\": {string.Join("; ", problems)}{more}; each entry must be {{\"containerID\": \"...\", \"ifname\": \"...\"}}");
    }

    static string Kind(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => t.ToString(),
    };

    /// <summary>One string field of the object the reader is on; "" when absent or not a string.</summary>
    static string Field(ref Utf8JsonReader r, ReadOnlySpan<byte> name)
    {
        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return ""; }
        var value = "";
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var match = r.ValueTextEquals(name);
            r.Read();
            if (match) value = Text(ref r);
            else r.Skip();
        }
        return value;
    }

    /// <summary>An array's entries as strings, "" for any that is not one (the parse that follows names it).</summary>
    static ImmutableArray<string> Texts(ref Utf8JsonReader r)
    {
        var list = ImmutableArray.CreateBuilder<string>();
        if (r.TokenType != JsonTokenType.StartArray) { r.Skip(); return list.ToImmutable(); }
        while (r.Read() && r.TokenType != JsonTokenType.EndArray) list.Add(Text(ref r));
        return list.ToImmutable();
    }

    /// <summary>The string the reader is on, or "" (skipping the value) when it is something else.</summary>
    static string Text(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.String) return r.GetString() ?? "";
        r.Skip();
        return "";
    }
}
