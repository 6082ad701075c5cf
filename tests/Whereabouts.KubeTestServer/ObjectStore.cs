using System.Globalization;
using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// The etcd stand-in. One lock guards every object and the single global revision counter,
/// so each operation is atomic and resourceVersions are strictly increasing across all objects,
/// as etcd revisions are. Callers only ever see deep clones.
/// </summary>
internal sealed class ObjectStore(IReadOnlyList<CustomResourceType> types, TimeProvider time, bool allowUnconditionalUpdate)
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Plural, string Ns, string Name), JsonObject> _objects = new();
    private long _revision;
    private readonly Queue<WatchEvent> _history = new();
    private readonly List<WatchSubscription> _watchers = [];
    // Every change after this revision is still in _history; a watch may resume from here or later.
    private long _oldestResumable;

    public long Revision { get { lock (_gate) return _revision; } }

    /// <summary>See <see cref="KubeTestServerOptions.MaxObjectBytes"/>.</summary>
    public int? MaxObjectBytes { get; set; }

    /// <summary>See <see cref="KubeTestServerOptions.WatchHistory"/>.</summary>
    public int WatchHistory { get; set; } = 1000;

    public JsonObject Get(ResourceRef r)
    {
        lock (_gate)
        {
            return Clone(_objects.GetValueOrDefault(Key(r)) ?? throw ApiError.NotFound(r, r.Name!));
        }
    }

    /// <summary>
    /// A LIST response; a null namespace in <paramref name="r"/> lists across all namespaces. With a positive
    /// <paramref name="limit"/>, one page of at most that many items, in name order, and metadata.continue
    /// naming where the next page starts (empty on the last), as the apiserver pages.
    /// </summary>
    public JsonObject List(ResourceRef r, int limit = 0, string continueToken = "")
    {
        lock (_gate)
        {
            var items = new JsonArray();
            var after = continueToken.Length > 0 ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(continueToken)) : null;
            var selected = Select(r.Plural, r.Namespace).Where(o => after is null || string.CompareOrdinal(PageKey(o), after) > 0).ToList();
            var page = limit > 0 ? selected.Take(limit).ToList() : selected;
            var next = limit > 0 && selected.Count > limit ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(PageKey(page[^1]))) : "";
            foreach (var obj in page) items.Add(Clone(obj));
            var kind = KnownType(r.Group, r.Plural)?.Kind
                ?? (items.FirstOrDefault() is JsonObject first ? ObjectMeta.Top(first, "kind") : null);
            return new JsonObject
            {
                ["apiVersion"] = r.ApiVersion,
                ["kind"] = (kind ?? "") + "List",
                ["metadata"] = new JsonObject { ["continue"] = next, ["resourceVersion"] = Rv(_revision) },
                ["items"] = items,
            };
        }
    }

    public JsonObject Create(ResourceRef r, JsonObject body)
    {
        BodyChecks.TypeMatches(r, body, KnownType(r.Group, r.Plural));
        BodyChecks.NamespaceMatches(r, body);
        var meta = ObjectMeta.Of(body);
        lock (_gate)
        {
            var name = ObjectMeta.Name(body);
            if (name.Length == 0)
            {
                var prefix = ObjectMeta.Str(body, "generateName");
                if (string.IsNullOrEmpty(prefix))
                    throw ApiError.Invalid(r, "", "metadata.name", "Required value: name or generateName is required");
                do name = prefix + RandomSuffix(); while (_objects.ContainsKey((r.Plural, r.Namespace!, name)));
                meta["name"] = name;
            }
            if (_objects.ContainsKey((r.Plural, r.Namespace!, name))) throw ApiError.AlreadyExists(r, name);
            // etcd3 store.Create refuses this as a plain (500) error; clients that copy a fetched object must clear it.
            if (BodyChecks.ParseResourceVersion(ObjectMeta.ResourceVersion(body)) != 0)
                throw new ApiError(500, "", "resourceVersion should not be set on objects to be created");

            var stored = body.DeepClone().AsObject();
            var m = ObjectMeta.Of(stored);
            if (r.Namespace!.Length > 0) m["namespace"] = r.Namespace; else m.Remove("namespace"); // cluster-scoped: no namespace
            m["uid"] = Guid.NewGuid().ToString();
            m["creationTimestamp"] = Now();
            m["generation"] = 1L;
            return Commit((r.Plural, r.Namespace!, name), stored);
        }
    }

    public JsonObject Replace(ResourceRef r, JsonObject body)
    {
        BodyChecks.TypeMatches(r, body, KnownType(r.Group, r.Plural));
        BodyChecks.NamespaceMatches(r, body);
        BodyChecks.NameMatchesUrl(r, body);
        lock (_gate)
        {
            var key = Key(r);
            var current = _objects.GetValueOrDefault(key) ?? throw ApiError.NotFound(r, r.Name!);
            CheckUid(r, ObjectMeta.Str(body, "uid"), current);
            var rv = BodyChecks.ParseResourceVersion(ObjectMeta.ResourceVersion(body));
            if (rv == 0 && !allowUnconditionalUpdate)
                throw ApiError.Invalid(r, r.Name!, "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update");
            if (rv != 0 && Rv(rv) != ObjectMeta.ResourceVersion(current)) throw ApiError.StaleObject(r, r.Name!);
            return UpdateLocked(key, current, body.DeepClone().AsObject());
        }
    }

    /// <summary>
    /// Applies <paramref name="patch"/> to the current object under the lock. As with the apiserver,
    /// the patch is conditional only if it sets metadata.resourceVersion itself.
    /// </summary>
    public JsonObject Patch(ResourceRef r, Func<JsonObject, JsonObject> patch)
    {
        lock (_gate)
        {
            var key = Key(r);
            var current = _objects.GetValueOrDefault(key) ?? throw ApiError.NotFound(r, r.Name!);
            var patched = patch(current.DeepClone().AsObject());
            BodyChecks.TypeMatches(r, patched, KnownType(r.Group, r.Plural));
            BodyChecks.NamespaceMatches(r, patched);
            BodyChecks.NameMatchesUrl(r, patched);
            CheckUid(r, ObjectMeta.Str(patched, "uid"), current);
            var rv = ObjectMeta.ResourceVersion(patched);
            if (rv.Length > 0 && rv != ObjectMeta.ResourceVersion(current)) throw ApiError.StaleObject(r, r.Name!);
            return UpdateLocked(key, current, patched);
        }
    }

    /// <summary>Deletes with DeleteOptions.preconditions; answers the Success Status for a custom resource, the deleted object for a built-in kind.</summary>
    public JsonObject Delete(ResourceRef r, string? preconditionUid, string? preconditionRv)
    {
        lock (_gate)
        {
            var key = Key(r);
            var current = _objects.GetValueOrDefault(key) ?? throw ApiError.NotFound(r, r.Name!);
            // Same order and wording as storage.Preconditions.Check: UID first, then resourceVersion.
            CheckUid(r, preconditionUid, current);
            var currentRv = ObjectMeta.ResourceVersion(current);
            if (!string.IsNullOrEmpty(preconditionRv) && preconditionRv != currentRv)
                throw ApiError.Conflict(r, r.Name!,
                    $"Precondition failed: ResourceVersion in precondition: {preconditionRv}, ResourceVersion in object meta: {currentRv}");
            RemoveLocked(key, current);
            return KnownType(r.Group, r.Plural) is { BuiltInKind: true } ? Clone(current) : StatusBodies.DeleteSuccess(r, r.Name!, ObjectMeta.Str(current, "uid"));
        }
    }

    // ---- direct access for tests (no HTTP, no faults, no checks beyond a name) ----

    public JsonObject? Peek(string plural, string ns, string name)
    {
        lock (_gate) return _objects.TryGetValue((plural, ns, name), out var o) ? Clone(o) : null;
    }

    public IReadOnlyList<JsonObject> Snapshot(string plural, string? ns)
    {
        lock (_gate) return Select(plural, ns).Select(Clone).ToList();
    }

    /// <summary>Stores an object as if a client had written it: fills system fields and gives it a fresh revision.</summary>
    public JsonObject Seed(string plural, string ns, JsonObject obj)
    {
        var stored = obj.DeepClone().AsObject();
        var name = ObjectMeta.Name(stored);
        if (name.Length == 0) throw new ArgumentException("metadata.name is required", nameof(obj));
        var type = types.FirstOrDefault(t => t.Plural == plural);
        if (type is not null)
        {
            stored["apiVersion"] ??= type.ApiVersion;
            stored["kind"] ??= type.Kind;
        }
        var m = ObjectMeta.Of(stored);
        if (ns.Length > 0) m["namespace"] = ns; else m.Remove("namespace"); // cluster-scoped: no namespace
        m["uid"] ??= Guid.NewGuid().ToString();
        m["creationTimestamp"] ??= Now();
        m["generation"] ??= 1L;
        lock (_gate) return Commit((plural, ns, name), stored);
    }

    public bool Remove(string plural, string ns, string name)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue((plural, ns, name), out var current)) return false;
            RemoveLocked((plural, ns, name), current);
            return true;
        }
    }

    // ---- watch ----

    /// <summary>
    /// Opens a watch on one plural (in one namespace, or all for null), queued under the lock so nothing that
    /// commits meanwhile is missed or doubled. <paramref name="resourceVersion"/> "" or "0": synthetic ADDED events
    /// for every current object, then changes; a number: every change after it, or 410 Expired when the history
    /// no longer reaches back that far.
    /// </summary>
    public WatchSubscription Watch(string plural, string? ns, string resourceVersion)
    {
        var from = 0L;
        var resume = resourceVersion.Length > 0 && resourceVersion != "0";
        if (resume && (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out from)))
            throw ApiError.BadRequest($"invalid resource version: {resourceVersion}");
        var watch = new WatchSubscription(plural, ns);
        lock (_gate)
        {
            if (resume)
            {
                if (from < _oldestResumable) throw ApiError.Expired(from, _oldestResumable);
                foreach (var e in _history)
                    if (e.Revision > from && watch.Wants(e.Plural, e.Ns)) watch.Offer(e);
            }
            else
            {
                foreach (var obj in Select(plural, ns))
                    watch.Offer(new WatchEvent(Revision: BodyChecks.ParseResourceVersion(ObjectMeta.ResourceVersion(obj)),
                        WatchEvent.Added, plural, ObjectMeta.Str(obj, "namespace") ?? "", Clone(obj), null));
            }
            _watchers.Add(watch);
        }
        return watch;
    }

    /// <summary>
    /// A LIST with resourceVersionMatch=Exact at a revision the history no longer reaches is refused the way
    /// etcd's compaction makes the apiserver refuse it; any other LIST is still served from the current state.
    /// </summary>
    public void CheckListable(string resourceVersion)
    {
        if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)) return;
        lock (_gate)
            if (rv < _oldestResumable) throw new ApiError(410, "Expired", "The resourceVersion for the provided list is too old.");
    }

    /// <summary>Queues a BOOKMARK at the current revision: everything up to it is already queued ahead of it.</summary>
    public void Bookmark(WatchSubscription watch)
    {
        lock (_gate) watch.Offer(new WatchEvent(_revision, WatchEvent.Bookmark, watch.Plural, watch.Namespace ?? "", null, null));
    }

    public void Unwatch(WatchSubscription watch)
    {
        lock (_gate) _watchers.Remove(watch);
        watch.Close();
    }

    /// <summary>Ends every open watch stream, as an apiserver does when it closes watches.</summary>
    public void CloseWatches()
    {
        lock (_gate)
        {
            foreach (var w in _watchers) w.Close();
            _watchers.Clear();
        }
    }

    /// <summary>Forgets all history up to now: a watch from any earlier resourceVersion gets 410 Expired.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _oldestResumable = _revision;
        }
    }

    /// <summary>The kind the apiserver names in a BOOKMARK for this plural, when known.</summary>
    public CustomResourceType? TypeOf(string plural) => types.FirstOrDefault(t => t.Plural == plural);

    // ---- internals; every caller holds _gate ----

    private void RemoveLocked((string Plural, string Ns, string Name) key, JsonObject current)
    {
        _objects.Remove(key);
        // An etcd delete is a revision too: a later LIST shows a newer resourceVersion, and the DELETED event
        // carries the last state stamped with it.
        var last = Clone(current);
        ObjectMeta.Of(last)["resourceVersion"] = Rv(++_revision);
        Record(new WatchEvent(_revision, WatchEvent.Deleted, key.Plural, key.Ns, last, null));
    }

    private void Record(WatchEvent e)
    {
        _history.Enqueue(e);
        while (_history.Count > Math.Max(WatchHistory, 0) && _history.TryDequeue(out var dropped))
            _oldestResumable = dropped.Revision;
        foreach (var w in _watchers)
            if (w.Wants(e.Plural, e.Ns)) w.Offer(e);
    }

    private JsonObject UpdateLocked((string, string, string) key, JsonObject current, JsonObject next)
    {
        var m = ObjectMeta.Of(next);
        var cm = ObjectMeta.Of(current);
        // System fields are owned by the server, whatever the client sent.
        foreach (var f in (string[])["namespace", "uid", "creationTimestamp", "generation", "resourceVersion"])
            m[f] = cm[f]?.DeepClone();

        // etcd3 GuaranteedUpdate skips the write when the bytes are unchanged: no new resourceVersion.
        if (JsonNode.DeepEquals(next, current)) return Clone(current);

        if (!JsonNode.DeepEquals(ObjectMeta.Content(next), ObjectMeta.Content(current)))
            m["generation"] = Generation(cm) + 1;
        return Commit(key, next);
    }

    private JsonObject Commit((string, string, string) key, JsonObject stored)
    {
        if (MaxObjectBytes is { } limit && System.Text.Encoding.UTF8.GetByteCount(stored.ToJsonString()) > limit)
            throw ApiError.EtcdRequestTooLarge();
        ObjectMeta.Of(stored)["resourceVersion"] = Rv(++_revision);
        var previous = _objects.GetValueOrDefault(key);
        _objects[key] = stored;
        JsonObject? before = null;
        if (previous is not null)
        {
            before = Clone(previous);
            ObjectMeta.Of(before)["resourceVersion"] = Rv(_revision);
        }
        Record(new WatchEvent(_revision, previous is null ? WatchEvent.Added : WatchEvent.Modified, key.Item1, key.Item2, Clone(stored), before));
        return Clone(stored);
    }

    private static long Generation(JsonObject meta) =>
        long.TryParse(meta["generation"]?.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var g) ? g : 0;

    private static void CheckUid(ResourceRef r, string? uid, JsonObject current)
    {
        var currentUid = ObjectMeta.Str(current, "uid");
        if (!string.IsNullOrEmpty(uid) && uid != currentUid)
            throw ApiError.Conflict(r, r.Name!, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {currentUid}");
    }

    /// <summary>Where an object sorts in a LIST: namespace, then name (the order Select yields).</summary>
    private static string PageKey(JsonObject o) => ObjectMeta.Str(o, "namespace") + "\u0000" + ObjectMeta.Name(o);

    private IEnumerable<JsonObject> Select(string plural, string? ns) =>
        _objects
            .Where(kv => kv.Key.Plural == plural && (ns is null || kv.Key.Ns == ns))
            .OrderBy(kv => kv.Key.Ns, StringComparer.Ordinal)
            .ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
            .Select(kv => kv.Value);

    /// <summary>The registered kind of a group's plural, if any.</summary>
    public CustomResourceType? TypeOf(string group, string plural) => KnownType(group, plural);

    private CustomResourceType? KnownType(string group, string plural) =>
        types.FirstOrDefault(t => t.Group == group && t.Plural == plural);

    private static (string, string, string) Key(ResourceRef r) => (r.Plural, r.Namespace!, r.Name!);

    private static JsonObject Clone(JsonObject o) => o.DeepClone().AsObject();

    private static string Rv(long n) => n.ToString(CultureInfo.InvariantCulture);

    private string Now() => time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Same alphabet as apimachinery's rand.String: no vowels, no confusable digits.
    private static string RandomSuffix() =>
        new(Enumerable.Range(0, 5).Select(_ => "bcdfghjklmnpqrstvwxz2456789"[Random.Shared.Next(27)]).ToArray());
}
