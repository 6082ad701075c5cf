using System.Runtime.InteropServices;
using System.Text.Json;
using LanguageExt;
using LanguageExt.ClassInstances;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;

using Whereabouts.Kube;

namespace Whereabouts.Node.Kube;

/// <summary>
/// The namespace's OverlappingRangeIPReservations as last watched: who holds which address. Decisions see them
/// as <see cref="KnownReservations.Seen"/>, so an ADD passes by addresses other nodes' pods have just reserved
/// instead of running into each one; the reservation create, guarded by the API server, still decides.
/// </summary>
public sealed class ReservationCache : IWatchedCache
{
    Map<OrdString, string, Owner> owners = Map<OrdString, string, Owner>.Empty;
    volatile bool synced;

    /// <summary>What a decision may steer by: every reservation seen, or none while the watch is not synced.</summary>
    public KnownReservations Steer(KnownReservations known) => synced ? known with { Seen = owners } : known;

    public int Count => owners.Count;

    public void Reset(IReadOnlyList<JsonElement> items)
    {
        var all = Map<OrdString, string, Owner>.Empty;
        foreach (var item in items)
            if (Decode(item) is { } r) all = all.AddOrUpdate(r.Name, r.Owner);
        lock (this) owners = all;
        synced = true;
    }

    public void Put(JsonElement item)
    {
        if (Decode(item) is not { } r) return;
        lock (this) owners = owners.AddOrUpdate(r.Name, r.Owner);
    }

    public void Remove(JsonElement item)
    {
        var name = ObjectWatch.Text(item.GetProperty("metadata"), "name");
        lock (this) owners = owners.Remove(name);
    }

    public void Unsync() => synced = false;

    public void Heard() { }

    static (string Name, Owner Owner)? Decode(JsonElement item)
    {
        var name = ObjectWatch.Text(item.TryGetProperty("metadata", out var m) ? m : default, "name");
        if (name.Length == 0 || !item.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.Object) return null;
        return ReservationCodec.Decode(name, JsonMarshal.GetRawUtf8Value(spec)).Match(o => ((string, Owner)?)(name, o), _ => null);
    }
}
