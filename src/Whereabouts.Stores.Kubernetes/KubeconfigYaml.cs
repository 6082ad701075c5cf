using YamlDotNet.Core;
using YamlDotNet.Core.Events;

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

/// <summary>The text is not YAML, or is YAML a kubeconfig does not use; the message names the line.</summary>
public sealed class KubeconfigYamlException(string message) : Exception(message);

/// <summary>
/// A kubeconfig's YAML (or JSON, which is YAML's flow syntax) as a tree of <see cref="YamlNode"/>, read from
/// YamlDotNet's low-level event parser. Only the parser: YamlDotNet's (de)serializers find types by
/// reflection, which Native AOT cannot compile. Kubeconfig.cs then applies client-go's precedence rules.
/// <para>
/// Refused with a message: a second document (a kubeconfig is one), anchors, aliases and tags (kubectl and
/// installers never write them, and aliases are how a small file expands into a huge tree), and keys that
/// are not scalars.
/// </para>
/// <para>
/// Why a library and not our own parser: the budget for one was +1 ms per ADD and +1 MB of binary and of
/// peak RSS, and YamlDotNet 18.1.0's parser in the AOT plugin measured +134,560 bytes, ADD p50 within
/// ±0.8 ms (noise) and peak RSS +0.2–0.4 MB (2026-12-02, bench/plugin-ab-kubernetes.sh; the figures are in
/// docs/benchmarks.md, "YamlDotNet's parser in the plugin"), so it replaced our 560-line YAML subset parser.
/// </para>
/// </summary>
public static class KubeconfigYaml
{
    /// <summary>Deeper than any kubeconfig (about 5 levels); a bound keeps a hostile file from overflowing the stack.</summary>
    const int MaxDepth = 64;

    public static YamlNode Parse(string text)
    {
        // Encoding.UTF8.GetString keeps a byte-order mark, and YamlDotNet would read it as part of the first key.
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return YamlNode.Null;
            parser.Consume<DocumentStart>();
            var root = Read(parser, 0);
            parser.Consume<DocumentEnd>();
            // Trailing document markers ("---" with nothing after it) are harmless; content is a second document.
            while (parser.TryConsume<DocumentStart>(out var next))
            {
                if (!IsEmptyDocument(parser)) throw Refused(next, "more than one YAML document; a kubeconfig is one document");
                parser.Consume<DocumentEnd>();
            }
            parser.Consume<StreamEnd>();
            return root;
        }
        catch (YamlException e)
        {
            throw new KubeconfigYamlException(At(e.Start, e.Message));
        }
    }

    /// <summary>The node whose first event is the parser's current one; leaves the parser after the node.</summary>
    static YamlNode Read(IParser parser, int depth)
    {
        var e = parser.Current ?? throw new KubeconfigYamlException("the YAML ends early");
        if (e is AnchorAlias || e is NodeEvent { Anchor.IsEmpty: false } || e is NodeEvent { Tag.IsEmpty: false })
            throw Refused(e, "anchors, aliases and tags are not supported in a kubeconfig");
        if (depth > MaxDepth) throw Refused(e, $"nested more than {MaxDepth} levels deep");
        parser.MoveNext();
        switch (e)
        {
            case Scalar s:
                // Quoted and block scalars are strings as written; only a plain scalar can mean null.
                return new YamlNode.Scalar(s.Value, s.Style != ScalarStyle.Plain);
            case SequenceStart:
            {
                var items = new List<YamlNode>();
                while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(Read(parser, depth + 1));
                return new YamlNode.Sequence(items);
            }
            case MappingStart:
            {
                var entries = new List<KeyValuePair<string, YamlNode>>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = parser.Current!;
                    if (Read(parser, depth + 1) is not YamlNode.Scalar key) throw Refused(keyEvent, "a mapping key must be a scalar");
                    entries.Add(new(key.Text, Read(parser, depth + 1)));
                }
                return new YamlNode.Mapping(entries);
            }
            default:
                throw Refused(e, $"unexpected {e.GetType().Name}");
        }
    }

    /// <summary>After a DocumentStart: true, and the empty scalar consumed, when the document holds nothing.</summary>
    static bool IsEmptyDocument(IParser parser) =>
        parser.Accept<Scalar>(out var s) && s is { Value: "", Style: ScalarStyle.Plain, Anchor.IsEmpty: true, Tag.IsEmpty: true }
        && parser.MoveNext() && parser.Current is DocumentEnd;

    static KubeconfigYamlException Refused(ParsingEvent e, string why) => new(At(e.Start, why));

    // YamlDotNet's messages name the construct, never the file's content: safe to log.
    static string At(Mark mark, string message) => mark.Line > 0 ? $"line {mark.Line}: {message}" : message;
}
