using System.Text.Json;
using System.Text.Json.Serialization;

namespace Whereabouts.Node;

/// <summary>
/// The plugin's forwarded invocation (POST /v1/cni over the Unix socket): its CNI_*, WHEREABOUTS_* and
/// NODENAME variables, and stdin as base64.
/// </summary>
public sealed record ForwardedCall(Dictionary<string, string> Env, string Stdin);

/// <summary>The agent's answer: the exit code and stdout to print, or Direct: run it yourself (another datastore).</summary>
public sealed record AgentReply(int? ExitCode, string? Stdout, bool? Direct);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ForwardedCall))]
[JsonSerializable(typeof(AgentReply))]
internal sealed partial class AgentJson : JsonSerializerContext;
