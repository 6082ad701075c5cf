using System.Collections.Immutable;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Kubectl.Model;

/// <summary>
/// host-local's data directory for one network (/var/lib/cni/networks/NAME): one file per address, named by it,
/// holding "containerID\r\nifname" (versions before 0.8 wrote the container ID alone); last_reserved_ip.N
/// (where the next search starts) and lock are not allocations. Pure: the shell hands over name and text.
/// </summary>
public static class HostLocalFiles
{
    public static (ImmutableArray<HostLocalEntry> Entries, ImmutableArray<string> Skipped) Read(IEnumerable<(string Name, string Text)> files)
    {
        var entries = ImmutableArray.CreateBuilder<HostLocalEntry>();
        var skipped = ImmutableArray.CreateBuilder<string>();
        foreach (var (name, text) in files.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (name == "lock" || name.StartsWith("last_reserved_ip", StringComparison.Ordinal)) continue;
            var lines = text.Split('\n').Select(l => l.TrimEnd('\r').Trim()).ToArray();
            if (Address.Parse(name).Case is not Address address || lines.Length == 0 || lines[0].Length == 0)
            {
                skipped.Add(name);
                continue;
            }
            entries.Add(new HostLocalEntry(address, lines[0], lines.Length > 1 ? lines[1] : ""));
        }
        return (entries.ToImmutable(), skipped.ToImmutable());
    }

    /// <summary>
    /// The --pod-refs file: "containerID namespace/name" per line ('#' starts a comment), because host-local
    /// keeps no pod name and the API does not show sandbox IDs; the runtime does (crictl pods, crictl inspectp).
    /// </summary>
    public static ImmutableDictionary<string, string> PodRefs(string text) =>
        text.Split('\n').Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0)
            .Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 2 && f[1].Contains('/'))
            .GroupBy(f => f[0], StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
}
