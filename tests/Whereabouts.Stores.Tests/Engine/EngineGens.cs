using CsCheck;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>The CsCheck generators of engine runs (<see cref="EngineProperties"/>).</summary>
public static class EngineGens
{
    /// <summary>How many network configurations the engine catalogue offers (EngineProperties.ScopeCatalogue).</summary>
    public const int ScopeCount = 6;

    /// <summary>Pod interfaces taking part in an engine run.</summary>
    public const int AttachmentCount = 6;

    static readonly Gen<Request> EngineRequest = Gen.Frequency<Request>(
        (6, Gen.Const(new Request(RequestKind.None, 0, 0))),
        (3, Gen.Select(Gen.Int[0, 1], Gen.Int[-2, 8], (r, d) => new Request(RequestKind.InRange, r, d))),
        (1, Gen.Int[0, 1].Select(r => new Request(RequestKind.Outside, r, 0))));

    static readonly Gen<EngineOp> EngineStep = Gen.Frequency<EngineOp>(
        (10, Gen.Select(Gen.Int[0, AttachmentCount - 1], Gen.Frequency((1, true), (4, false)), EngineRequest, Gen.Bool,
            Gen.Frequency((1, Gen.Int[0, 3].Select(i => (int?)i)), (5, Gen.Const((int?)null))),
            (a, fresh, req, learn, crash) => (EngineOp)new AddOp(a, fresh, req, learn, crash))),
        (5, Gen.Select(Gen.Int[0, AttachmentCount - 1], Gen.Frequency((1, true), (4, false)), (a, stale) => (EngineOp)new DelOp(a, stale))),
        (1, Gen.Select(Gen.Int[0, 3], Gen.Bool.Array[AttachmentCount], (s, v) => (EngineOp)new GcOp(s, v))),
        (2, Gen.Int[0, 3].Select(s => (EngineOp)new AddDelOp(s))),
        (2, Gen.Select(Gen.Int[0, AttachmentCount - 1], Gen.Int[0, AttachmentCount - 1], (a, b) => (EngineOp)new RaceOp(a, b))));

    /// <summary>
    /// An engine run: 1 to 4 distinct scopes from the catalogue, each attachment in one of them, and up to 60
    /// operations. Scope numbers inside operations index the chosen scopes (modulo their count).
    /// </summary>
    public static readonly Gen<EngineRun> EngineRun =
        from network in Gen.OneOf("", "blue")
        from overlapping in Gen.Frequency((3, true), (1, false))
        from scopes in Gen.Int[0, ScopeCount - 1].HashSet[1, 4].Select(h => h.Order().ToArray())
        from attachmentScope in Gen.Int[0, scopes.Length - 1].Array[AttachmentCount]
        from ops in EngineStep.Array[1, 60]
        select new EngineRun(network, overlapping, scopes, attachmentScope, ops);
}
