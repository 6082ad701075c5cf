using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// One committed change as a watch sees it, or a BOOKMARK marker. <see cref="Object"/> is the state after the
/// change (for DELETED: the last state, carrying the deletion's resourceVersion, as the apiserver sends it);
/// <see cref="Previous"/> is the state before a MODIFIED, re-stamped with this revision, so a watcher whose
/// selector the object stops matching can send it as DELETED the way the apiserver's cacher does.
/// Both are private copies nobody mutates, so many watchers may read them at once.
/// </summary>
internal sealed record WatchEvent(long Revision, string Type, string Plural, string Ns, JsonObject? Object, JsonObject? Previous)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
}
