using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Config;

namespace Whereabouts.Core.Requests;

/// <summary>A file as the shell found it: absent, its bytes, or refused (a link, too large, not a regular file).</summary>
public abstract record FileRead
{
    FileRead() { }

    public sealed record Missing : FileRead;
    public sealed record Found(byte[] Bytes) : FileRead;
    public sealed record Refused(string Why) : FileRead;
}

/// <summary>
/// Everything one request is resolved from, as the shell gathered it: the CNI environment, stdin's bytes,
/// the files read so far, whether the paths the configuration names passed the file-system checks, and this
/// node's slice. Resolution asks for what is missing (<see cref="InputNeeded"/>); the shell fetches it and
/// resolves again, so the resolution itself does no I/O.
/// </summary>
public sealed record RawInputs(Func<string, string?> Env, ReadOnlyMemory<byte> Stdin)
{
    /// <summary>
    /// stdin parsed once, however many rounds resolution takes: a value of <see cref="Stdin"/> alone, shared by
    /// every copy `with` makes. (Each round re-parsed it before: ~5 parses per ADD.)
    /// </summary>
    readonly Lazy<Fin<NetworkConfig>> network = new(() => ConfigParser.ParseNetwork(Stdin), LazyThreadSafetyMode.None);

    public Fin<NetworkConfig> Network => network.Value;

    public ImmutableDictionary<string, FileRead> Files { get; init; } = ImmutableDictionary<string, FileRead>.Empty;

    /// <summary>The outcome of <see cref="Wanted.PathChecks"/>, once the shell ran them.</summary>
    public Option<Fin<Unit>> PathsChecked { get; init; }

    /// <summary>This node's slice, once the shell asked the node-slice port.</summary>
    public Option<Fin<Cidr>> Slice { get; init; }

    public RawInputs With(string path, FileRead read) => this with { Files = Files.SetItem(path, read) };

    /// <summary>A file's bytes, None when absent; a file not read yet is asked for.</summary>
    public Fin<Option<byte[]>> Read(string path, NamedPath? linkCheck = null) =>
        !Files.TryGetValue(path, out var read) ? new InputNeeded(new Wanted.File(path, linkCheck))
        : read switch
        {
            FileRead.Found f => Option<byte[]>.Some(f.Bytes),
            FileRead.Refused r => Errors.InvalidConfig(r.Why),
            _ => Option<byte[]>.None,
        };
}

/// <summary>An input resolution needs that the shell has not gathered yet.</summary>
public abstract record Wanted
{
    Wanted() { }

    /// <summary>Read <paramref name="Path"/>; with <paramref name="LinkCheck"/>, only when no symbolic link lies below its allowed directory.</summary>
    public sealed record File(string Path, NamedPath? LinkCheck) : Wanted;

    /// <summary>Check that no named path passes through a symbolic link below its allowed directory, and that the log file opens.</summary>
    public sealed record PathChecks(ImmutableArray<NamedPath> Paths, string LogFile) : Wanted;

    /// <summary>Ask the datastore the settings name for <paramref name="Node"/>'s slice in NodeSlicePool <paramref name="Pool"/>.</summary>
    public sealed record Slice(IpamSettings Settings, string Pool, string Node) : Wanted;
}

/// <summary>
/// Not a failure of the request: resolution stopped at an input the shell has not gathered. It never reaches
/// a CNI reply; <see cref="Whereabouts.Core.Cni.CniError.From"/> would report one as internal (a shell bug).
/// </summary>
public sealed record InputNeeded(Wanted What) : LanguageExt.Common.Expected($"input not gathered: {What}", 0, default);
