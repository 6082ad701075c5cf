using System.Collections.Immutable;
using System.Text;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Requests;

namespace Whereabouts.Core.Tests.Requests;

/// <summary>
/// A test's own gathering loop over an in-memory file system: it answers what resolution asks for and
/// records the order of the asks, so tests can state what was read and when.
/// </summary>
public sealed class Gathering(IReadOnlyDictionary<string, string> files, Func<string, string?> env)
{
    public List<Wanted> Asked { get; } = [];

    /// <summary>The slice the node-slice port answers with, when asked.</summary>
    public Fin<Cidr>? Slice { get; init; }

    /// <summary>What the path checks report (they touch the real file system in the shell).</summary>
    public Fin<Unit> PathChecks { get; init; } = Unit.Default;

    public Fin<T> Run<T>(string stdin, Func<RawInputs, Fin<T>> resolve)
    {
        var raw = new RawInputs(env, Encoding.UTF8.GetBytes(stdin));
        for (var round = 0; round < 64; round++)
        {
            var result = resolve(raw);
            if (result.Case is not InputNeeded needed) return result;
            Asked.Add(needed.What);
            raw = needed.What switch
            {
                Wanted.File f => raw.With(f.Path, files.TryGetValue(f.Path, out var text) ? new FileRead.Found(Encoding.UTF8.GetBytes(text)) : new FileRead.Missing()),
                Wanted.PathChecks => raw with { PathsChecked = PathChecks },
                Wanted.Slice => raw with { Slice = Slice ?? throw new InvalidOperationException("no slice was expected to be asked for") },
                _ => throw new InvalidOperationException(needed.What.ToString()),
            };
        }
        throw new InvalidOperationException("resolution kept asking");
    }

    public ImmutableArray<string> FilesAsked => [.. Asked.OfType<Wanted.File>().Select(f => f.Path)];
}
