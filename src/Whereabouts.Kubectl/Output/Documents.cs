using System.Text.Json;
using System.Text.Json.Serialization;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Whereabouts.Kubectl.Output;

/// <summary>
/// Machine output: plain records of strings and numbers (never addresses or UInt128s, which serialisers mangle),
/// camelCase in JSON and YAML alike, written straight to the console's writer so no line is wrapped.
/// </summary>
public static class Documents
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    static readonly ISerializer Yaml = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithTypeConverter(new CamelCaseEnums())
        .Build();

    public static void Write(TextWriter to, OutputFormat format, object document)
    {
        if (format == OutputFormat.Yaml) to.Write(Yaml.Serialize(document));
        else to.WriteLine(JsonSerializer.Serialize(document, document.GetType(), Json));
        to.Flush();
    }

    /// <summary>Enums as JSON writes them ("podGone"), so a script can switch formats without changing its matches.</summary>
    sealed class CamelCaseEnums : IYamlTypeConverter
    {
        public bool Accepts(Type type) => type.IsEnum;

        public object? ReadYaml(YamlDotNet.Core.IParser parser, Type type, ObjectDeserializer rootDeserializer) => throw new NotSupportedException();

        public void WriteYaml(YamlDotNet.Core.IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
            emitter.Emit(new YamlDotNet.Core.Events.Scalar(JsonNamingPolicy.CamelCase.ConvertName(value?.ToString() ?? "")));
    }
}
