using System.Collections.Immutable;
using LanguageExt;

namespace Whereabouts.Core.Requests;

/// <summary>
/// This node's name as upstream finds it: NODENAME, else a "nodename" file beside the flat file (the installer
/// writes one), else /etc/hostname. None when none says.
/// </summary>
public static class NodeNames
{
    static readonly ImmutableArray<string> Standard =
    [
        "/etc/kubernetes/cni/net.d/whereabouts.d/nodename", "/etc/cni/net.d/whereabouts.d/nodename",
        "/host/etc/cni/net.d/whereabouts.d/nodename", "/etc/hostname",
    ];

    public static Fin<Option<string>> Of(RawInputs raw, string configurationPath)
    {
        if (raw.Env("NODENAME") is { } env && env.Trim() is { Length: > 0 } name) return Option<string>.Some(name);
        var candidates = configurationPath.Length > 0
            ? Standard.Insert(0, Path.Combine(Path.GetDirectoryName(configurationPath) ?? "/", "nodename"))
            : Standard;
        foreach (var path in candidates)
        {
            var read = raw.Read(path);
            if (read.IsFail) return read.Map(_ => Option<string>.None);
            if (read.ThrowIfFail().Case is byte[] bytes && System.Text.Encoding.UTF8.GetString(bytes).Trim() is { Length: > 0 } found) return Option<string>.Some(found);
        }
        return Option<string>.None;
    }
}
