namespace Whereabouts.Core.Pools;

/// <summary>A stored reservation as a listing returns it: its object name and who holds it.</summary>
public sealed record ReservationEntry(string Name, Owner Owner);
