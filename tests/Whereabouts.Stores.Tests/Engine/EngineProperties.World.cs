using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Memory;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>The ranges and network configurations runs draw from, and the state of one run.</summary>
public sealed partial class EngineProperties
{
    static Cidr C(string text) => Cidr.Parse(text).ThrowIfFail();

    static Address A(string text) => Address.Parse(text).ThrowIfFail();

    static RangeSpec R(string range, string? start = null, string? end = null, params string[] exclude) =>
        new(C(range), start is null ? Option<Address>.None : A(start), end is null ? Option<Address>.None : A(end),
            exclude.Select(C).ToImmutableArray());

    /// <summary>The ranges runs draw from. 0 and 3 share a pool; 0, 1 and 2 overlap; so do 4, 5 and 6.</summary>
    static readonly RangeSpec[] RangeCatalogue =
    [
        R("10.0.0.0/28"),
        R("10.0.0.0/29"),
        R("10.0.0.9/29", "10.0.0.10", "10.0.0.13"),
        R("10.0.0.0/28", "10.0.0.4", null, "10.0.0.6/31"),
        R("fd00::/125"),
        R("fd00::/64", "fd00::8000:0:0:0", "fd00::8000:0:0:5"),
        R("fd00::/126"),
    ];

    /// <summary>Network configurations: lists of catalogue ranges, dual stack in 2, 3 and 5.</summary>
    static readonly int[][] ScopeCatalogue = [[0], [1], [2, 4], [3, 5], [4], [6, 2]];

    sealed class World
    {
        public World(EngineRun run)
        {
            Run = run;
            Scopes = run.Scopes.Select(s => new NetworkScope(
                ScopeCatalogue[s].Select(r => RangeCatalogue[r]).ToImmutableArray(), run.NetworkName, run.Overlapping)).ToArray();
        }

        public EngineRun Run { get; }
        public InMemoryPoolStore Store { get; } = new();
        public NetworkScope[] Scopes { get; }
        /// <summary>Sandbox generation per pod: all interfaces of a pod share its sandbox's container ID.</summary>
        public int[] Generation { get; } = new int[(EngineGens.AttachmentCount + 1) / 2];
        public int Fresh { get; set; }

        public NetworkScope ScopeOf(int attachment) => Scopes[Run.AttachmentScope[attachment]];

        public static int PodIndexOf(int attachment) => attachment / 2;

        public static string PodOf(int attachment) => $"ns/pod-{PodIndexOf(attachment)}";

        public static string IfNameOf(int attachment) => $"net{attachment % 2 + 1}";

        public static string ContainerOf(int attachment, int generation) => $"c{PodIndexOf(attachment)}-{generation}";

        public string CurrentContainerOf(int attachment) => ContainerOf(attachment, Generation[PodIndexOf(attachment)]);

        public Owner OwnerOf(int attachment) => new(CurrentContainerOf(attachment), PodOf(attachment), IfNameOf(attachment));
    }
}
