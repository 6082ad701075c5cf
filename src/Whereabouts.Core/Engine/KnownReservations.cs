using LanguageExt;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Engine;

/// <summary>
/// Overlapping-range reservations the shell has seen (there is one per address cluster-wide, so they are
/// learned on demand: a reservation create that conflicts is read back and added here before deciding again).
/// </summary>
public sealed record KnownReservations(Map<string, Owner> Owners)
{
    public static readonly KnownReservations None = new(Map<string, Owner>.Empty);

    public KnownReservations With(ReservationKey key, Owner owner) => new(Owners.AddOrUpdate(key.Name, owner));

    public Option<Owner> OwnerOf(ReservationKey key) => Owners.Find(key.Name);

    /// <summary>Held by some other pod interface, so this address must not be handed to <paramref name="owner"/>.</summary>
    public bool IsHeldByOther(ReservationKey key, Owner owner) => OwnerOf(key).Exists(o => !o.IsSameAttachment(owner));
}
