using System.Collections.Immutable;

namespace Whereabouts.Core.Config;

/// <summary>
/// Command lines as Kubernetes manifests write them: "--name=value" is the same option as "--name value".
/// </summary>
public static class LongOptions
{
    /// <summary>Each "--name=value" split into "--name", "value"; every other argument unchanged.</summary>
    public static ImmutableArray<string> Split(IEnumerable<string> args) =>
    [
        .. args.SelectMany(a => a.StartsWith("--", StringComparison.Ordinal) && a.IndexOf('=') is > 2 and var at
            ? new[] { a[..at], a[(at + 1)..] }
            : [a]),
    ];
}
