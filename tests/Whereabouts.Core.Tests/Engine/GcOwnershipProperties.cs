using System.Collections.Immutable;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Engine;

/// <summary>
/// Releaser.Collect against the model of docs/architecture.md "CNI GC": released(a) = a ∉ valid ∧ owned(a),
/// where owned(a) is "a's owner is in this node's slice pool" or what the shell showed (all local, the pods
/// bound here or gone, or nothing). Two pools: the first range is this node's slice when the case says so.
/// </summary>
public sealed class GcOwnershipProperties
{
    static Cidr C(string text) => Cidr.Parse(text).ThrowIfFail();

    static readonly string[] Containers = ["c0", "c1", "c2", "c3", "c4"];
    static readonly string[] Pods = ["", "ns/p0", "ns/p1", "ns/p2", "other/p3"];
    static readonly string[] IfNames = ["", "net1", "net2"];

    static readonly Gen<Owner> AnOwner = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 2], (c, p, i) => new Owner(Containers[c], Pods[p], IfNames[i]));

    static readonly Gen<Attachment> AnAttachment = Gen.Select(Gen.Int[0, 4], Gen.Int[1, 2], (c, i) => new Attachment(Containers[c], IfNames[i]));

    /// <summary>Offsets 1..40 of a pool, each with an owner.</summary>
    static readonly Gen<ImmutableArray<(int Offset, Owner Owner)>> Allocations =
        Gen.Select(Gen.Int[1, 40], AnOwner).Array[0, 12].Select(xs => xs.DistinctBy(x => x.Item1).ToImmutableArray());

    static readonly Gen<GcOwnership> AnOwnership = Gen.Frequency<GcOwnership>(
        (1, Gen.Const<GcOwnership>(new GcOwnership.AllLocal())),
        (1, Gen.Const<GcOwnership>(new GcOwnership.Unknown("etcd"))),
        (3, Gen.Bool.Array[Pods.Length].Select(pick => (GcOwnership)new GcOwnership.PodsHereOrGone(
            Pods.Where((_, i) => pick[i]).ToImmutableHashSet(StringComparer.Ordinal)))));

    sealed record Case(bool Sliced, ImmutableArray<(int Offset, Owner Owner)> First, ImmutableArray<(int Offset, Owner Owner)> Second,
        ImmutableArray<Attachment> Valid, GcOwnership Ownership);

    static readonly Gen<Case> Cases = Gen.Select(Gen.Bool, Allocations, Allocations, AnAttachment.Array[0, 6].Select(a => a.ToImmutableArray()), AnOwnership,
        (s, f, o, v, w) => new Case(s, f, o, v, w));

    static NetworkScope ScopeOf(Case c)
    {
        var first = RangeSpec.Of(C("10.0.0.0/24"));
        return new NetworkScope([c.Sliced ? first.InSlice(new NodeSlice(C("10.0.0.0/26"), "me")) : first, RangeSpec.Of(C("10.1.0.0/24"))], "net", true);
    }

    static ImmutableArray<PoolSnapshot> PoolsOf(Case c, NetworkScope scope) =>
        [.. scope.PoolKeys.Zip([c.First, c.Second], (key, allocations) =>
            new PoolSnapshot(key, new StoreVersion("1"), PoolState.Of(key.Range, allocations.Select(x => new Allocation((UInt128)x.Offset, x.Owner)))))];

    // ---- the model, written from the rule rather than from the code ----

    static bool Listed(Case c, Owner o) => c.Valid.Any(v => v.ContainerId == o.ContainerId && (o.IfName == "" || o.IfName == v.IfName));

    static bool InMySlice(Case c, Owner o) => c.Sliced && c.First.Any(x => x.Owner == o);

    static bool Shown(Case c, Owner o) => c.Ownership switch
    {
        GcOwnership.AllLocal => true,
        GcOwnership.PodsHereOrGone p => o.PodRef != "" && p.PodRefs.Contains(o.PodRef),
        _ => false,
    };

    static bool Owned(Case c, Owner o) => InMySlice(c, o) || Shown(c, o);

    /// <summary>(pool index, offset) released by the plan's pool writes.</summary>
    static HashSet<(int Pool, int Offset)> ReleasedBy(Plan plan, ImmutableArray<PoolSnapshot> pools)
    {
        var released = new HashSet<(int, int)>();
        foreach (var write in plan.Ops.OfType<StoreOp.ReplacePool>())
        {
            var index = pools.IndexOf(pools.Single(p => p.Key == write.Pool));
            var kept = write.Next.Allocations.Select(a => a.Offset).ToHashSet();
            foreach (var a in pools[index].State.Allocations.Where(a => !kept.Contains(a.Offset))) released.Add((index, (int)a.Offset));
        }
        return released;
    }

    static IEnumerable<(int Pool, int Offset, Owner Owner)> All(Case c) =>
        c.First.Select(x => (0, x.Offset, x.Owner)).Concat(c.Second.Select(x => (1, x.Offset, x.Owner)));

    [Fact]
    public void GcNeverReleasesAnAllocationNotShownToBeThisNodes() =>
        Cases.Sample(c =>
        {
            var scope = ScopeOf(c);
            var pools = PoolsOf(c, scope);
            var released = ReleasedBy(Releaser.Collect(new GcRequest(c.Valid, scope, c.Ownership), pools), pools);
            foreach (var (pool, offset, owner) in All(c).Where(x => released.Contains((x.Pool, x.Offset))))
            {
                Assert.True(Owned(c, owner), $"released {owner} at {pool}/{offset}, which is not shown to be this node's");
                Assert.False(Listed(c, owner), $"released {owner} at {pool}/{offset}, which the runtime lists as valid");
            }
        });

    [Fact]
    public void GcReleasesEveryOwnedAllocationTheRuntimeDoesNotList() =>
        Cases.Sample(c =>
        {
            var scope = ScopeOf(c);
            var pools = PoolsOf(c, scope);
            var plan = Releaser.Collect(new GcRequest(c.Valid, scope, c.Ownership), pools);
            var expected = All(c).Where(x => Owned(c, x.Owner) && !Listed(c, x.Owner)).Select(x => (x.Pool, x.Offset)).ToHashSet();
            Assert.Equal(expected.Order(), ReleasedBy(plan, pools).Order());
            var addresses = expected.Select(x => pools[x.Pool].Key.Range.AddressAt((UInt128)x.Offset)).Order().ToArray();
            Assert.Equal(addresses, Assert.IsType<Outcome.Released>(plan.Outcome).Addresses.Order().ToArray());
        });

    [Fact]
    public void ThePodsToLookUpAreThoseOfUnlistedAllocationsNoSlicePoolVouchesFor() =>
        Cases.Sample(c =>
        {
            var scope = ScopeOf(c);
            var expected = All(c).Select(x => x.Owner).Where(o => o.PodRef != "" && !Listed(c, o) && !InMySlice(c, o))
                .Select(o => o.PodRef).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(expected, Collectable.PodsToCheck(c.Valid, scope, PoolsOf(c, scope)).Order(StringComparer.Ordinal));
        });

    [Fact]
    public void OnASharedStoreWithoutPodFactsNothingIsReleased()
    {
        var c = new Case(false, [(1, new Owner("a", "ns/a", "net1"))], [(2, new Owner("b", "", "net1"))], [], new GcOwnership.Unknown("etcd"));
        var scope = ScopeOf(c);
        var plan = Releaser.Collect(new GcRequest(c.Valid, scope, c.Ownership), PoolsOf(c, scope));
        Assert.Empty(plan.Ops);
        Assert.Empty(Assert.IsType<Outcome.Released>(plan.Outcome).Addresses);
    }

    [Fact]
    public void AnAllocationWithoutAPodReferenceIsNeverShownByPodFacts()
    {
        var c = new Case(false, [(1, new Owner("a", "", "net1"))], [], [], new GcOwnership.PodsHereOrGone([""]));
        var scope = ScopeOf(c);
        Assert.Empty(Releaser.Collect(new GcRequest(c.Valid, scope, c.Ownership), PoolsOf(c, scope)).Ops);
    }
}
