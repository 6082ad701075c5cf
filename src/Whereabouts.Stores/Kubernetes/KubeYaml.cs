using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>A parsed YAML (or JSON) value: a scalar, a mapping or a sequence.</summary>
public abstract record YamlNode
{
    YamlNode() { }

    /// <summary>A scalar as written. Plain <c>~</c>, <c>null</c> and an empty value are null.</summary>
    public sealed record Scalar(string Text, bool Quoted) : YamlNode
    {
        public bool IsNull => !Quoted && Text is "" or "~" or "null" or "Null" or "NULL";
    }

    public sealed record Mapping(IReadOnlyList<KeyValuePair<string, YamlNode>> Entries) : YamlNode
    {
        /// <summary>The value under <paramref name="key"/>; YAML forbids duplicates, so the last one wins as in Go's decoders.</summary>
        public YamlNode? this[string key] => Entries.LastOrDefault(e => e.Key == key).Value;
    }

    public sealed record Sequence(IReadOnlyList<YamlNode> Items) : YamlNode;

    public static readonly YamlNode Null = new Scalar("", false);
}

/// <summary>
/// The YAML that kubeconfig files are written in, parsed without reflection. Kubeconfigs are written by
/// kubectl (go-yaml), by installers' heredocs (upstream's install-cni.sh) and by hand; they use block
/// mappings and sequences (including the "- key: v" compact form), plain, single- and double-quoted scalars,
/// flow collections (<c>{}</c>, <c>[]</c>), comments and, rarely, block scalars. JSON kubeconfigs are accepted too.
/// Anchors, aliases, tags and multi-document streams are refused with a message naming the line.
/// <para>
/// Why not YamlDotNet: the plugin is one short-lived Native AOT process per ADD, and YamlDotNet is only
/// AOT-clean through its static (source-generated) context, which adds a second package, a generator and
/// its whole parser/emitter/type-inspection machinery to the binary for a dozen keys. This subset is a
/// few hundred lines, has no static state, and is pinned by tests against the kubeconfig shapes seen in
/// the wild. (It also needs no edit to the central package list.)
/// </para>
/// </summary>
public static class KubeYaml
{
    public static YamlNode Parse(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        if (text.TrimStart().StartsWith('{'))
        {
            // JSON is YAML's flow syntax, but a JSON kubeconfig may spread one collection over many lines
            // with any indentation: read it as JSON when it is JSON.
            try
            {
                using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                return Convert(doc.RootElement);
            }
            catch (JsonException)
            {
            }
        }
        return new BlockParser(text).ParseDocument();
    }

    static YamlNode Convert(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new YamlNode.Mapping(e.EnumerateObject().Select(p => new KeyValuePair<string, YamlNode>(p.Name, Convert(p.Value))).ToList()),
        JsonValueKind.Array => new YamlNode.Sequence(e.EnumerateArray().Select(Convert).ToList()),
        JsonValueKind.String => new YamlNode.Scalar(e.GetString() ?? "", true),
        JsonValueKind.Null => YamlNode.Null,
        _ => new YamlNode.Scalar(e.GetRawText(), false),
    };
}

/// <summary>The YAML document was outside the supported subset or malformed; the message names the line.</summary>
public sealed class YamlException(string message) : Exception(message);

/// <summary>Line-oriented recursive descent over block structure; flow collections and scalars per line.</summary>
sealed class BlockParser
{
    readonly string[] lines;
    int at;

    public BlockParser(string text) => lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');

    // A line being parsed may have had its "- " indicator consumed: the override shifts where it starts.
    int overrideLine = -1, overrideIndent;
    string overrideContent = "";

    public YamlNode ParseDocument()
    {
        SkipDirectivesAndDocumentStart();
        if (!NextContent(out var indent)) return YamlNode.Null;
        var node = ParseBlock(indent, -1);
        if (NextContent(out _) && !IsDocumentMarker(at)) throw Error("unexpected content (check the indentation)");
        // Only document markers may follow: a second document is not a kubeconfig.
        for (; NextContent(out _); at++)
            if (!IsDocumentMarker(at)) throw Error("more than one YAML document; a kubeconfig is one document");
        return node;
    }

    void SkipDirectivesAndDocumentStart()
    {
        while (at < lines.Length)
        {
            var raw = lines[at];
            if (raw.StartsWith('%')) { at++; continue; }
            if (IsBlank(at)) { at++; continue; }
            if (raw == "---" || raw.StartsWith("--- ", StringComparison.Ordinal))
            {
                var rest = raw[3..].Trim();
                if (rest.Length > 0 && !rest.StartsWith('#')) { overrideLine = at; overrideIndent = 4; overrideContent = StripComment(rest); }
                else at++;
            }
            return;
        }
    }

    /// <summary>Moves to the next line with content; false at the end. Blank and comment lines are skipped.</summary>
    bool NextContent(out int indent)
    {
        while (at < lines.Length && IsBlank(at)) at++;
        indent = at < lines.Length ? Indent(at) : -1;
        return at < lines.Length;
    }

    bool IsBlank(int line)
    {
        if (line == overrideLine) return overrideContent.Length == 0;
        var t = lines[line].TrimStart(' ');
        return t.Length == 0 || t[0] == '#' || t.TrimEnd().Length == 0;
    }

    int Indent(int line)
    {
        if (line == overrideLine) return overrideIndent;
        var raw = lines[line];
        var n = 0;
        while (n < raw.Length && raw[n] == ' ') n++;
        if (n < raw.Length && raw[n] == '\t') throw Error("a tab in indentation; YAML indents with spaces", line);
        return n;
    }

    /// <summary>The line's text after its indentation, without a trailing comment.</summary>
    string Content(int line) => line == overrideLine ? overrideContent : StripComment(lines[line].Trim(' ', '\t'));

    /// <summary>The line's text after its indentation, comments kept (for scalars that must see quotes).</summary>
    string RawContent(int line) => line == overrideLine ? overrideContent : lines[line].Trim(' ', '\t');

    /// <summary>"---" or "..." at the start of a line ends the document.</summary>
    bool IsDocumentMarker(int line) =>
        line != overrideLine && (lines[line] is "---" or "..." || lines[line].StartsWith("--- ", StringComparison.Ordinal) || lines[line].StartsWith("... ", StringComparison.Ordinal));

    static bool IsSequenceEntry(string content) => content == "-" || content.StartsWith("- ", StringComparison.Ordinal);

    /// <summary>A block node whose first line is the current one, at <paramref name="indent"/>.</summary>
    YamlNode ParseBlock(int indent, int parentIndent)
    {
        var content = Content(at);
        if (IsSequenceEntry(content)) return ParseSequence(indent);
        if (FindKey(content, out _, out _)) return ParseMapping(indent);
        // A lone scalar or flow collection as a whole block (e.g. a document that is just "{}").
        return ParseInlineValue(RawContent(at), parentIndent);
    }

    YamlNode ParseSequence(int indent)
    {
        var items = new List<YamlNode>();
        while (NextContent(out var i) && i == indent && !IsDocumentMarker(at) && IsSequenceEntry(Content(at)))
        {
            var content = RawContent(at);
            var rest = content.Length > 1 ? content[1..] : "";
            var gap = rest.Length - rest.TrimStart(' ').Length;
            rest = rest.TrimStart(' ');
            if (StripComment(rest).Length == 0)
            {
                at++;
                items.Add(NextContent(out var inner) && inner > indent ? ParseBlock(inner, indent) : YamlNode.Null);
                continue;
            }
            // "- key: v" or "- - x": re-read the rest of the line as a block starting at its own column.
            var column = indent + 1 + gap;
            if (IsSequenceEntry(StripComment(rest)) || FindKey(StripComment(rest), out _, out _))
            {
                overrideLine = at;
                overrideIndent = column;
                overrideContent = rest;
                items.Add(ParseBlock(column, indent));
                continue;
            }
            items.Add(ParseInlineValue(rest, indent));
        }
        if (NextContent(out var after) && after > indent && !IsDocumentMarker(at)) throw Error("unexpected indentation inside a sequence");
        return new YamlNode.Sequence(items);
    }

    YamlNode ParseMapping(int indent)
    {
        var entries = new List<KeyValuePair<string, YamlNode>>();
        while (NextContent(out var i) && i == indent && !IsDocumentMarker(at) && !IsSequenceEntry(Content(at)))
        {
            var content = RawContent(at);
            if (!FindKey(StripComment(content), out var key, out var valueStart))
                throw Error("expected \"key: value\"");
            var rest = content[valueStart..].TrimStart(' ');
            YamlNode value;
            if (StripComment(rest).Length == 0)
            {
                at++;
                if (NextContent(out var inner) && (inner > indent || (inner == indent && IsSequenceEntry(Content(at)))))
                    value = ParseBlock(inner, indent);
                else value = YamlNode.Null;
            }
            else value = ParseInlineValue(rest, indent);
            entries.Add(new KeyValuePair<string, YamlNode>(key, value));
        }
        if (NextContent(out var after) && after > indent && !IsDocumentMarker(at)) throw Error("unexpected indentation inside a mapping");
        return new YamlNode.Mapping(entries);
    }

    /// <summary>
    /// Finds "key:" followed by a space or the end of the line. Keys may be plain or quoted.
    /// <paramref name="valueStart"/> is the index just after the colon.
    /// </summary>
    static bool FindKey(string content, out string key, out int valueStart)
    {
        key = "";
        valueStart = 0;
        if (content.Length == 0 || content[0] is '[' or '{' or '|' or '>') return false;
        if (content[0] is '"' or '\'')
        {
            var end = QuotedEnd(content, 0);
            if (end < 0) return false;
            var after = end + 1;
            while (after < content.Length && content[after] == ' ') after++;
            if (after >= content.Length || content[after] != ':' || (after + 1 < content.Length && content[after + 1] != ' ')) return false;
            key = Unquote(content[..(end + 1)], -1);
            valueStart = after + 1;
            return true;
        }
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == ':' && (i + 1 == content.Length || content[i + 1] == ' '))
            {
                key = content[..i].TrimEnd();
                valueStart = i + 1;
                return key.Length > 0;
            }
            if (content[i] == '#' && i > 0 && content[i - 1] == ' ') return false;
        }
        return false;
    }

    /// <summary>
    /// The value that starts on the current line after a key or "- ": quoted, flow, block scalar or plain,
    /// consuming continuation lines where YAML allows them. Leaves the cursor on the next unread line.
    /// </summary>
    YamlNode ParseInlineValue(string text, int parentIndent)
    {
        var line = at;
        switch (text[0])
        {
            case '&' or '*' or '!':
                throw Error("anchors, aliases and tags are not supported in a kubeconfig");
            case '"' or '\'':
                return ParseQuoted(text);
            case '[' or '{':
                return ParseFlowValue(text);
            case '|' or '>':
                return ParseBlockScalar(text, parentIndent);
        }
        var value = StripComment(text);
        at = line + 1;
        // Plain scalars may continue on more-indented lines (folded with single spaces).
        var parts = new List<string> { value };
        while (at < lines.Length && !IsBlank(at) && Indent(at) > parentIndent && !text.Contains(" #", StringComparison.Ordinal))
        {
            var next = Content(at);
            if (FindKey(next, out _, out _) || IsSequenceEntry(next)) throw Error("unexpected indentation after a value");
            parts.Add(next);
            at++;
        }
        return new YamlNode.Scalar(string.Join(' ', parts), false);
    }

    YamlNode ParseQuoted(string text)
    {
        var start = at;
        var buffer = text;
        var end = QuotedEnd(buffer, 0);
        // A quoted scalar may span lines: fold line breaks to spaces, empty lines to newlines.
        while (end < 0)
        {
            at++;
            if (at >= lines.Length) throw Error("unterminated quoted string", start);
            var next = lines[at].Trim(' ', '\t');
            buffer += next.Length == 0 ? "\n" : (buffer.EndsWith('\n') ? "" : " ") + next;
            end = QuotedEnd(buffer, 0);
        }
        var trailing = StripComment(buffer[(end + 1)..]).Trim();
        if (trailing.Length > 0) throw Error($"unexpected text after a quoted string: {trailing}");
        at++;
        return new YamlNode.Scalar(Unquote(buffer[..(end + 1)], start), true);
    }

    YamlNode ParseFlowValue(string text)
    {
        var start = at;
        var buffer = StripComment(text);
        // Flow collections may span lines; join until brackets balance.
        while (!FlowParser.Balanced(buffer))
        {
            at++;
            if (at >= lines.Length) throw Error("unterminated flow collection", start);
            buffer += " " + StripComment(lines[at].Trim(' ', '\t'));
        }
        at++;
        try
        {
            return FlowParser.Parse(buffer);
        }
        catch (YamlException e)
        {
            throw Error(e.Message, start);
        }
    }

    YamlNode ParseBlockScalar(string text, int parentIndent)
    {
        var header = StripComment(text).Trim();
        var literal = header[0] == '|';
        var chomp = header.Contains('-') ? '-' : header.Contains('+') ? '+' : ' ';
        var explicitIndent = header.FirstOrDefault(char.IsAsciiDigit);
        at++;
        var body = new List<string>();
        var contentIndent = explicitIndent != default ? parentIndent + 1 + (explicitIndent - '0') - 1 : -1;
        while (at < lines.Length)
        {
            var raw = at == overrideLine ? overrideContent : lines[at];
            var trimmed = raw.TrimStart(' ');
            var indent = raw.Length - trimmed.Length;
            if (trimmed.Length == 0) { body.Add(""); at++; continue; }
            if (indent <= parentIndent) break;
            if (contentIndent < 0) contentIndent = indent;
            if (indent < contentIndent) break;
            body.Add(raw[contentIndent..]);
            at++;
        }
        var trailingBlank = 0;
        while (body.Count > 0 && body[^1].Length == 0) { body.RemoveAt(body.Count - 1); trailingBlank++; }
        string joined;
        if (literal) joined = string.Join('\n', body);
        else
        {
            var sb = new StringBuilder();
            // Folding: a break between two text lines is a space, each empty line is a newline, and
            // more-indented lines keep their breaks.
            for (var i = 0; i < body.Count; i++)
            {
                if (body[i].Length == 0) { sb.Append('\n'); continue; }
                if (i > 0 && body[i - 1].Length > 0) sb.Append(body[i].StartsWith(' ') || body[i - 1].StartsWith(' ') ? '\n' : ' ');
                sb.Append(body[i]);
            }
            joined = sb.ToString();
        }
        var value = chomp switch
        {
            '-' => joined,
            '+' => joined + new string('\n', body.Count > 0 ? trailingBlank + 1 : trailingBlank),
            _ => body.Count > 0 ? joined + "\n" : "",
        };
        return new YamlNode.Scalar(value, true);
    }

    /// <summary>Index of the closing quote of the quoted scalar opening at <paramref name="start"/>, or -1.</summary>
    internal static int QuotedEnd(string s, int start)
    {
        var q = s[start];
        for (var i = start + 1; i < s.Length; i++)
        {
            if (q == '"' && s[i] == '\\') { i++; continue; }
            if (s[i] == q)
            {
                if (q == '\'' && i + 1 < s.Length && s[i + 1] == '\'') { i++; continue; }
                return i;
            }
        }
        return -1;
    }

    /// <summary>The value of a quoted scalar including its quotes.</summary>
    internal static string Unquote(string quoted, int line)
    {
        var body = quoted[1..^1];
        if (quoted[0] == '\'') return body.Replace("''", "'");
        var sb = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\') { sb.Append(c); continue; }
            if (++i >= body.Length) throw new YamlException(At(line, "a string ends with a lone backslash"));
            switch (body[i])
            {
                case '\\': sb.Append('\\'); break;
                case '"': sb.Append('"'); break;
                case '/': sb.Append('/'); break;
                case ' ': sb.Append(' '); break;
                case '0': sb.Append('\0'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'e': sb.Append('\u001b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'N': sb.Append('\u0085'); break;
                case '_': sb.Append('\u00a0'); break;
                case 'L': sb.Append('\u2028'); break;
                case 'P': sb.Append('\u2029'); break;
                case 'x': sb.Append(Hex(body, ref i, 2, line)); break;
                case 'u': sb.Append(Hex(body, ref i, 4, line)); break;
                case 'U': sb.Append(Hex(body, ref i, 8, line)); break;
                default: throw new YamlException(At(line, $"unknown escape \\{body[i]} in a double-quoted string"));
            }
        }
        return sb.ToString();
    }

    static string Hex(string s, ref int i, int digits, int line)
    {
        if (i + digits >= s.Length) throw new YamlException(At(line, "a truncated escape"));
        if (!int.TryParse(s.AsSpan(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            throw new YamlException(At(line, "a malformed hexadecimal escape"));
        i += digits;
        return char.ConvertFromUtf32(code);
    }

    /// <summary>Drops a comment: '#' at the start or after whitespace, outside quotes.</summary>
    internal static string StripComment(string s)
    {
        char quote = default;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != default)
            {
                if (quote == '"' && c == '\\') { i++; continue; }
                if (c == quote) quote = default;
                continue;
            }
            // Quotes only open a quoted scalar at the start of a value, not inside plain text like it's.
            if ((c == '"' || c == '\'') && (i == 0 || s[i - 1] is ' ' or '[' or '{' or ',' or ':')) { quote = c; continue; }
            if (c == '#' && (i == 0 || s[i - 1] is ' ' or '\t')) return s[..i].TrimEnd();
        }
        return s.TrimEnd();
    }

    YamlException Error(string message, int? line = null) => new(At((line ?? at) + 1, message));

    static string At(int line, string message) => line > 0 ? $"line {line}: {message}" : message;
}

/// <summary>Flow collections: <c>[a, "b", {c: d}]</c>, <c>{}</c>.</summary>
static class FlowParser
{
    public static bool Balanced(string s)
    {
        var depth = 0;
        char quote = default;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != default)
            {
                if (quote == '"' && c == '\\') { i++; continue; }
                if (c == quote) quote = default;
                continue;
            }
            if (c is '"' or '\'') quote = c;
            else if (c is '[' or '{') depth++;
            else if (c is ']' or '}') depth--;
        }
        return depth <= 0 && quote == default;
    }

    public static YamlNode Parse(string s)
    {
        var i = 0;
        var node = Value(s, ref i);
        Skip(s, ref i);
        if (i < s.Length) throw new YamlException("unexpected text after a flow collection"); // not quoted: errors never show a file's content
        return node;
    }

    static YamlNode Value(string s, ref int i)
    {
        Skip(s, ref i);
        if (i >= s.Length) throw new YamlException("a flow collection ends early");
        switch (s[i])
        {
            case '[':
            {
                i++;
                var items = new List<YamlNode>();
                while (true)
                {
                    Skip(s, ref i);
                    if (i < s.Length && s[i] == ']') { i++; return new YamlNode.Sequence(items); }
                    items.Add(Value(s, ref i));
                    Skip(s, ref i);
                    if (i < s.Length && s[i] == ',') { i++; continue; }
                    if (i < s.Length && s[i] == ']') { i++; return new YamlNode.Sequence(items); }
                    throw new YamlException("expected ',' or ']' in a flow sequence");
                }
            }
            case '{':
            {
                i++;
                var entries = new List<KeyValuePair<string, YamlNode>>();
                while (true)
                {
                    Skip(s, ref i);
                    if (i < s.Length && s[i] == '}') { i++; return new YamlNode.Mapping(entries); }
                    var key = Value(s, ref i) as YamlNode.Scalar ?? throw new YamlException("a flow mapping key must be a scalar");
                    Skip(s, ref i);
                    YamlNode value = YamlNode.Null;
                    if (i < s.Length && s[i] == ':') { i++; value = Value(s, ref i); }
                    entries.Add(new KeyValuePair<string, YamlNode>(key.Text, value));
                    Skip(s, ref i);
                    if (i < s.Length && s[i] == ',') { i++; continue; }
                    if (i < s.Length && s[i] == '}') { i++; return new YamlNode.Mapping(entries); }
                    throw new YamlException("expected ',' or '}' in a flow mapping");
                }
            }
            case '"' or '\'':
            {
                var end = BlockParser.QuotedEnd(s, i);
                if (end < 0) throw new YamlException("unterminated quoted string");
                var text = BlockParser.Unquote(s[i..(end + 1)], -1);
                i = end + 1;
                return new YamlNode.Scalar(text, true);
            }
            case '&' or '*' or '!':
                throw new YamlException("anchors, aliases and tags are not supported in a kubeconfig");
            default:
            {
                var start = i;
                // A plain scalar in flow context ends at ',', ']', '}' or ": ".
                while (i < s.Length && s[i] is not (',' or ']' or '}') && !(s[i] == ':' && (i + 1 == s.Length || s[i + 1] is ' ' or ',' or ']' or '}')))
                    i++;
                return new YamlNode.Scalar(s[start..i].Trim(), false);
            }
        }
    }

    static void Skip(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t') i++;
    }
}
