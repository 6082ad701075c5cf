using System.Collections.Immutable;

namespace Whereabouts.Core.Cni;

/// <summary>Whether a verb needs this node's slice of the range (node_slice_size).</summary>
public enum SliceNeed
{
    /// <summary>The verb never looks at pools by slice (STATUS, VERSION).</summary>
    None,
    /// <summary>Without the slice the verb cannot run: ADD allocates from it, CHECK looks in it.</summary>
    Required,
    /// <summary>Used when found, else the whole range: a node that lost its slice can still tear pods down (DEL, GC).</summary>
    WhenFound,
}

/// <summary>
/// One CNI verb: its name, the first cniVersion that has it, the CNI_* variables it requires (as the
/// reference library checks them), whether it opens the datastore, and whether it needs the node's slice.
/// </summary>
public sealed record CniVerb(string Name, CniVersion Since, ImmutableArray<string> RequiredEnv, bool NeedsStore, SliceNeed Slice)
{
    public static readonly CniVerb Add = new("ADD", new(0, 1, 0), ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"], true, SliceNeed.Required);
    public static readonly CniVerb Del = new("DEL", new(0, 1, 0), ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"], true, SliceNeed.WhenFound);
    public static readonly CniVerb Check = new("CHECK", CniVersion.V040, ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"], true, SliceNeed.Required);
    public static readonly CniVerb Gc = new("GC", CniVersion.Latest, ["CNI_PATH"], true, SliceNeed.WhenFound);
    public static readonly CniVerb Status = new("STATUS", CniVersion.Latest, ["CNI_PATH"], true, SliceNeed.None);
    public static readonly CniVerb Version = new("VERSION", new(0, 1, 0), [], false, SliceNeed.None);

    /// <summary>
    /// The one verb table. A switch, not a LanguageExt Map: Map's first use resolves its ordering by reflection,
    /// which cost ~0.5 ms of every plugin run under Native AOT.
    /// </summary>
    public static CniVerb? Named(string? command) => command switch
    {
        "ADD" => Add,
        "DEL" => Del,
        "CHECK" => Check,
        "GC" => Gc,
        "STATUS" => Status,
        "VERSION" => Version,
        _ => null,
    };

    public const string Names = "ADD, DEL, CHECK, GC, STATUS, VERSION";
}
