using LanguageExt;
using LanguageExt.ClassInstances;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// Overlapping-range reservations the shell has seen (there is one per address cluster-wide, so they are
/// learned on demand: a reservation create that conflicts is read back and added here before deciding again).
/// </summary>
public sealed record KnownReservations(Map<OrdString, string, Owner> Owners)
{
    public static readonly KnownReservations None = new(Map<OrdString, string, Owner>.Empty);

    /// <summary>
    /// How many of the lowest free addresses ADD may choose among: 1 (the lowest, as upstream) until a race
    /// is lost: a pool moved between our read and our write. A reservation that was simply taken before we read
    /// is learned, not a lost race, and leaves the window alone (the shell tells which). Concurrent ADDs on one range all want the same lowest address; after losing, each picks at
    /// <see cref="Draw"/> within a window that doubles per lost race (up to 32), so they stop colliding.
    /// </summary>
    public int Window { get; init; } = 1;

    /// <summary>Where in the window to pick, in [0, 1); drawn by the shell.</summary>
    public double Draw { get; init; }

    public KnownReservations AfterLostRace(int racesLost, double draw) =>
        this with { Window = 1 << Math.Clamp(racesLost, 0, 5), Draw = draw };

    public KnownReservations With(ReservationKey key, Owner owner) => new(Owners.AddOrUpdate(key.Name, owner)) { Seen = Seen };

    /// <summary>What this knows, and what <paramref name="other"/> knows that this does not (this one's window and draw kept).</summary>
    public KnownReservations Plus(KnownReservations other) =>
        this with { Owners = other.Owners.Fold(Owners, (owners, name, owner) => owners.ContainsKey(name) ? owners : owners.Add(name, owner)) };

    public Option<Owner> OwnerOf(ReservationKey key) => Owners.Find(key.Name);

    /// <summary>Held by some other pod interface, so this address must not be handed to <paramref name="owner"/>.</summary>
    public bool IsHeldByOther(ReservationKey key, Owner owner) => OwnerOf(key).Exists(o => Ownership.HeldByOther(o, owner));

    /// <summary>
    /// Reservations seen elsewhere (a node agent's watched cache), which may be out of date: they only steer the
    /// choice of a free address away from ones others hold (<see cref="Avoids"/>). They never stand in for a
    /// reservation known to be held: a requested address is still tried, and a reservation still created.
    /// </summary>
    public Map<OrdString, string, Owner> Seen { get; init; } = Map<OrdString, string, Owner>.Empty;

    /// <summary>Whether ADD, choosing a free address, passes this one by: known, or seen, to be another's.</summary>
    public bool Avoids(ReservationKey key, Owner owner) =>
        IsHeldByOther(key, owner) || Seen.Find(key.Name).Exists(o => Ownership.HeldByOther(o, owner));
}
