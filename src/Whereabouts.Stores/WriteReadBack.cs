using Whereabouts.Core.Pools;

namespace Whereabouts.Stores;

/// <summary>
/// Judging a write whose answer was lost (a timeout, a reset, a 5xx after the request went out): it may or
/// may not have committed, so the store reads the object back and compares. Pure; the stores do the reads.
/// </summary>
public static class WriteReadBack
{
    public static bool Same(PoolState a, PoolState b) => a.Range == b.Range && a.Allocations.SequenceEqual(b.Allocations);

    /// <summary>
    /// Whether the change from <paramref name="before"/> to <paramref name="written"/> shows in <paramref name="now"/>:
    /// every allocation it added or changed is there as written, and every one it removed is gone (or now
    /// someone else's). False when there was no change to see.
    /// </summary>
    public static bool ChangeVisible(PoolState before, PoolState written, PoolState now)
    {
        var changed = false;
        foreach (var a in written.Allocations)
        {
            if (before.At(a.Offset) == a) continue;
            changed = true;
            if (now.At(a.Offset) != a) return false;
        }
        foreach (var b in before.Allocations)
        {
            if (written.At(b.Offset) is not null) continue;
            changed = true;
            if (now.At(b.Offset) == b) return false;
        }
        return changed;
    }
}

/// <summary>
/// A write was sent and whether it committed is unknown: its answer was lost and reading it back failed too.
/// The plan executor leaves the steps before it in place rather than undo them on a guess (an undone
/// reservation under a committed pool write would let the address be handed out twice); what that can leave
/// behind, an orphaned reservation, is reclaimed (docs/architecture.md, "Crash points").
/// </summary>
public sealed class WriteOutcomeUnknownException(string message, Exception? inner = null)
    : StoreUnavailableException(message, transient: true, inner);
