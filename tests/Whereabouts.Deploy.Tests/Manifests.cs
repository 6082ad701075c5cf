using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Whereabouts.Deploy.Tests;

/// <summary>
/// A kustomization rendered as a cluster would get it (`kubectl kustomize DIR`, offline), each object as JSON.
/// Scalars stay strings: the tests compare what the YAML says, not what a decoder would make of it.
/// </summary>
sealed class Manifests
{
    public IReadOnlyList<JsonObject> Objects { get; }
    public string Text { get; }

    Manifests(string text)
    {
        Text = text;
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        Objects = stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => (JsonObject)ToJson(d.RootNode)!).ToList();
    }

    static readonly Dictionary<string, Manifests> Rendered = [];

    /// <summary>deploy/ (or a directory under it), rendered once per test run.</summary>
    public static async Task<Manifests> Render(string dir = "deploy")
    {
        lock (Rendered) if (Rendered.TryGetValue(dir, out var done)) return done;
        var ran = (await Run.Command("kubectl", "kustomize", Repo.Path(dir))).OrFail($"kubectl kustomize {dir}");
        var manifests = new Manifests(ran.Output);
        lock (Rendered) Rendered[dir] = manifests;
        return manifests;
    }

    public JsonObject One(string kind, string name) =>
        Objects.Single(o => (string?)o["kind"] == kind && (string?)o["metadata"]?["name"] == name);

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    /// <summary>Every container (init containers too) of every workload and pod, with the object it is in.</summary>
    public IEnumerable<(JsonObject Owner, JsonObject Container)> Containers() =>
        from o in Objects
        let spec = (string?)o["kind"] == "Pod" ? o["spec"] : o["spec"]?["template"]?["spec"]
        where spec is not null
        from list in new[] { "initContainers", "containers" }
        from c in spec[list]?.AsArray() ?? []
        select (o, c!.AsObject());

    static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Value: var v } => v is null ? null : JsonValue.Create(v),
        _ => null,
    };
}
