using LanguageExt;
using LanguageExt.ClassInstances;
using LanguageExt.Common;

namespace Whereabouts.Core.Cni;

/// <summary>CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod;IP=10.0.0.5/24;GATEWAY=10.0.0.1".</summary>
public sealed record CniArgs(Map<OrdString, string, string> Values)
{
    public static Fin<CniArgs> Parse(string? text)
    {
        var values = Map<OrdString, string, string>.Empty;
        foreach (var pair in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) return Errors.InvalidEnvironment($"CNI_ARGS entry \"{pair}\" is not KEY=VALUE");
            values = values.AddOrUpdate(pair[..eq], pair[(eq + 1)..]);
        }
        return new CniArgs(values);
    }

    /// <summary>A CNI_ARGS value that does not parse: an environment error (4) naming the key.</summary>
    public static Error Bad(string key, Error why) => Errors.InvalidEnvironment($"CNI_ARGS {key}: {why.Message}");

    public string Get(string key) => Values.Find(key).IfNone("");

    /// <summary>"namespace/name" of the pod, or empty outside Kubernetes.</summary>
    public string PodRef
    {
        get
        {
            var name = Get("K8S_POD_NAME");
            return name.Length == 0 ? "" : $"{Get("K8S_POD_NAMESPACE")}/{name}";
        }
    }
}
