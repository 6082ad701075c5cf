namespace Whereabouts.Stores.Tests.Engine;

/// <summary>One step of a random engine run; <see cref="EngineGens.EngineRun"/> generates sequences of them.</summary>
public abstract record EngineOp;

/// <summary>
/// ADD for an attachment, maybe from a re-created sandbox (new container ID), maybe asking for an address.
/// <paramref name="LearnReservations"/>: the shell starts knowing no reservations and learns them from
/// conflicts, instead of knowing them all. <paramref name="CrashBefore"/>: the shell dies before that step.
/// </summary>
public sealed record AddOp(int Attachment, bool NewSandbox, Request Request, bool LearnReservations, int? CrashBefore) : EngineOp;

/// <summary>DEL for an attachment, with its current container ID or a stale one.</summary>
public sealed record DelOp(int Attachment, bool Stale) : EngineOp;

/// <summary>GC of one network configuration with the attachments the runtime still lists as valid.</summary>
public sealed record GcOp(int Scope, bool[] Valid) : EngineOp;

/// <summary>ADD then DEL of a brand-new attachment: the store must end as it started.</summary>
public sealed record AddDelOp(int Scope) : EngineOp;

/// <summary>Two ADDs decided on the same snapshot; the second is applied after the first has been written.</summary>
public sealed record RaceOp(int First, int Second) : EngineOp;

/// <summary>No request, an address near the start of one of the scope's ranges, or an address outside every range.</summary>
public readonly record struct Request(RequestKind Kind, int Range, int Delta);

public enum RequestKind { None, InRange, Outside }

/// <summary>
/// A random run: network name, whether overlapping-range reservations are on, which catalogue scopes
/// (network configurations) exist, the scope each attachment belongs to, and the operations.
/// </summary>
public sealed record EngineRun(string NetworkName, bool Overlapping, int[] Scopes, int[] AttachmentScope, EngineOp[] Ops)
{
    public override string ToString() =>
        $"network '{NetworkName}', overlapping {Overlapping}, scopes [{string.Join(",", Scopes)}], attachments in [{string.Join(",", AttachmentScope)}]:\n  "
        + string.Join("\n  ", Ops.Select(o => o switch
        {
            GcOp g => $"GcOp {{ Scope = {g.Scope}, Valid = [{string.Join(",", g.Valid.Select(v => v ? 1 : 0))}] }}",
            _ => o.ToString(),
        }));
}
