using System.Collections.Immutable;
using CsCheck;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// Sequential ADDs and DELs through the real ConflictRetry over the in-memory store, on several network
/// configurations whose ranges overlap and share reservations (overlapping ranges, one network name). With
/// no concurrency there is no race to lose, so every ADD gets the lowest address of its range that no pod
/// of any configuration holds, as upstream hands out. The jitter is pinned near 1 so that a widened pick
/// window would show as a higher address.
/// </summary>
public sealed class LowestFreeAcrossRanges
{
    static Cidr C(string text) => Cidr.Parse(text).IfFail(default(Cidr));

    static readonly Cidr[] Ranges = [C("192.168.22.0/24"), C("192.168.22.0/28"), C("192.168.22.8/29"), C("192.168.22.4/30"), C("192.168.22.32/27")];

    static NetworkScope Scope(Cidr range) => new([RangeSpec.Of(range)], "", OverlappingRanges: true);

    static ConflictRetry Retry(IPoolStore store) => new(store, RetryPolicy.Default, TimeProvider.System, () => 0.999, Log.Silent);

    static async Task<string> Add(IPoolStore store, Owner owner, Cidr range)
    {
        var request = new AddRequest(owner, Scope(range), []);
        var outcome = await Retry(store).Run(request.Scope.PoolKeys, (pools, known) => Allocator.Decide(request, pools, known), default);
        return outcome.Match(o => ((Outcome.Allocated)o).Leases[0].Address.ToString(), e => $"error {e.Code}");
    }

    static async Task Del(IPoolStore store, Owner owner, Cidr range)
    {
        var request = new DelRequest(owner.ContainerId, owner.IfName, Scope(range));
        var outcome = await Retry(store).Run(request.Scope.PoolKeys, (pools, _) => Releaser.Decide(request, pools), default);
        Assert.True(outcome.IsSucc);
    }

    [Fact]
    public async Task APodOnANarrowerOverlappingRangeGetsTheNextAddressNotTheOneAfter()
    {
        // Upstream's own test: pod 1 on the /24 gets .1; pod 2 on the /28 (another configuration) gets .2.
        var store = new InMemoryPoolStore();
        Assert.Equal("192.168.22.1", await Add(store, new Owner("c1", "default/pod-1", "net1"), C("192.168.22.0/24")));
        Assert.Equal("192.168.22.2", await Add(store, new Owner("c2", "default/pod-2", "net1"), C("192.168.22.0/28")));
    }

    /// <summary>One step: ADD a new pod on range i, or DEL the j-th live pod (modulo how many there are).</summary>
    sealed record Op(bool IsAdd, int Index);

    static readonly Gen<Op[]> Ops = Gen.Select(Gen.Frequency((3, Gen.Const(true)), (1, Gen.Const(false))), Gen.Int[0, 64], (add, i) => new Op(add, i)).Array[1, 60];

    [Fact]
    public Task SequentialAddsGetTheLowestAddressNoConfigurationHolds() =>
        Ops.SampleAsync(async ops =>
        {
            var store = new InMemoryPoolStore();
            // The model: which pod holds each address (reservations are shared by every configuration).
            var held = new Dictionary<UInt128, (Owner Owner, Cidr Range)>();
            var live = new List<(Owner Owner, Cidr Range, UInt128 Address)>();
            var next = 0;
            foreach (var op in ops)
            {
                if (op.IsAdd)
                {
                    var range = Ranges[op.Index % Ranges.Length];
                    var owner = new Owner($"c{next}", $"default/pod-{next}", "net1");
                    next++;
                    // Usable: the range's addresses but its network and broadcast address (all are /30 or wider).
                    var lowest = Enumerable.Range(1, (int)range.LastOffset - 1).Select(o => range.Normalised.AddressAt((UInt128)o))
                        .Where(a => !held.ContainsKey(a.Value)).Select(a => (Address?)a).FirstOrDefault();
                    var got = await Add(store, owner, range);
                    Assert.Equal(lowest is { } l ? l.ToString() : $"error {Core.Errors.RangeExhaustedCode}", got);
                    if (lowest is { } a)
                    {
                        held[a.Value] = (owner, range);
                        live.Add((owner, range, a.Value));
                    }
                }
                else if (live.Count > 0)
                {
                    var (owner, range, address) = live[op.Index % live.Count];
                    await Del(store, owner, range);
                    held.Remove(address);
                    live.RemoveAll(x => x.Owner == owner);
                }
            }
        }, iter: 200);
}
