using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Engine;

/// <summary>
/// Batch.Decide against a model of one pool as a map offset → owner, where requests run one after another:
/// ADD keeps what its pod interface holds, else takes the lowest free offset; DEL takes out what it holds.
/// </summary>
public sealed class BatchProperties
{
    static readonly Cidr Range = new(new Address(IpFamily.V4, 0x0A000000), 27); // 10.0.0.0/27: 30 usable
    static readonly RangeSpec Spec = RangeSpec.Of(Range);
    static readonly NetworkScope Scope = new([Spec], "", OverlappingRanges: true);
    static readonly PoolKey Key = PoolKey.For(Range, "");

    static Owner OwnerOf(int i) => new($"c{i}", $"ns/pod-{i}", "net1");

    /// <summary>A request: ADD or DEL of one of a few pod interfaces, so repeats and ADD-then-DEL happen.</summary>
    static readonly Gen<(bool Add, int Who)> RequestGen = Gen.Select(Gen.Frequency((3, true), (1, false)), Gen.Int[0, 39]);

    static readonly Gen<(int[] Taken, (bool Add, int Who)[] Requests, bool Exists)> CaseGen =
        from taken in Gen.Int[1, 30].Array[0, 25]
        from requests in RequestGen.Array[1, 40]
        from exists in Gen.Frequency((4, true), (1, false))
        select (taken.Distinct().ToArray(), requests, exists);

    static Batch.Decision DecisionOf((bool Add, int Who) r) => r.Add
        ? pool => Allocator.Decide(new AddRequest(OwnerOf(r.Who), Scope, ImmutableArray<Address>.Empty), [pool], KnownReservations.None)
        : pool => Releaser.Decide(new DelRequest($"c{r.Who}", "net1", Scope), [pool]);

    [Fact]
    public void EachRequestDecidesOnThePoolTheOnesBeforeItLeft() =>
        CaseGen.Sample(c =>
        {
            var initial = c.Exists ? c.Taken.Select(o => (Offset: (UInt128)o, Who: 100 + o)).ToArray() : [];
            var read = c.Exists
                ? new PoolSnapshot(Key, new StoreVersion("41"), PoolState.Of(Range, initial.Select(t => new Allocation(t.Offset, OwnerOf(t.Who)))))
                : PoolSnapshot.Missing(Key);
            var members = Batch.Decide(read, c.Requests.Select(DecisionOf));

            var model = initial.ToDictionary(t => t.Offset, t => t.Who);
            for (var k = 0; k < c.Requests.Length; k++)
            {
                var (add, who) = c.Requests[k];
                var member = members[k];
                if (add)
                {
                    var held = model.Where(kv => kv.Value == who).Select(kv => (UInt128?)kv.Key).FirstOrDefault();
                    var lowest = Enumerable.Range(1, 30).Select(o => (UInt128)o).Where(o => !model.ContainsKey(o)).Select(o => (UInt128?)o).FirstOrDefault();
                    var expected = held ?? lowest;
                    if (expected is null)
                    {
                        Assert.True(member.Plan.IsFail, "the range is full");
                        Assert.False(member.WritesPool);
                        continue;
                    }
                    model[expected.Value] = who;
                    var lease = Assert.Single(Assert.IsType<Outcome.Allocated>(member.Plan.ThrowIfFail().Outcome).Leases);
                    Assert.Equal(Range.AddressAt(expected.Value), lease.Address);
                    // A new address is written to the pool; its reservation is created before that write, and so is
                    // that of one already held, as nothing known says the reservation exists.
                    Assert.Equal(held is null, member.WritesPool);
                    Assert.Equal(1, member.Before.Count(s => s.Do is StoreOp.CreateReservation));
                }
                else
                {
                    var gone = model.Where(kv => kv.Value == who).Select(kv => kv.Key).ToArray();
                    foreach (var o in gone) model.Remove(o);
                    var released = Assert.IsType<Outcome.Released>(member.Plan.ThrowIfFail().Outcome);
                    Assert.Equal(gone.Select(Range.AddressAt).ToArray(), released.Addresses.ToArray());
                    Assert.Equal(gone.Length, member.AfterWrite.Count(s => s.Do is StoreOp.DeleteReservation));
                    Assert.Empty(member.Before);
                }
                Assert.Equal(model.OrderBy(kv => kv.Key).Select(kv => (kv.Key, $"c{kv.Value}")).ToArray(),
                    member.After.Allocations.Select(a => (a.Offset, a.Owner.ContainerId)).ToArray());
            }
        });

    [Fact]
    public void CommittingAllWritesTheLastViewGuardedByTheVersionRead() =>
        CaseGen.Sample(c =>
        {
            var read = ReadOf(c.Taken, c.Exists);
            var members = Batch.Decide(read, c.Requests.Select(DecisionOf));
            var commit = Batch.Commit(read, members, Enumerable.Range(0, members.Length));
            if (!members.Any(m => m.WritesPool))
            {
                Assert.True(commit.IsNone);
                return;
            }
            var op = commit.IfNone(() => throw new Xunit.Sdk.XunitException("a write was expected"));
            var written = c.Exists ? Assert.IsType<StoreOp.ReplacePool>(op).Next : Assert.IsType<StoreOp.CreatePool>(op).Initial;
            if (op is StoreOp.ReplacePool replace) Assert.Equal(new StoreVersion("41"), replace.IfVersion);
            Assert.Equal(members[^1].After.Allocations.ToArray(), written.Allocations.ToArray());
        });

    /// <summary>
    /// Some requests drop out (their reservation was taken): what the others commit holds every kept request's
    /// answer and none of a dropped one's changes, and the requests going again include every one that touched
    /// an address a dropped one touched.
    /// </summary>
    [Fact]
    public void WhatTheKeptRequestsCommitStandsWithoutTheDroppedOnes() =>
        CaseGen.Select(Gen.Int[0, 39].Array[0, 6], (c, d) => (c, d)).Sample(t =>
        {
            var (c, d) = t;
            var read = ReadOf(c.Taken, c.Exists);
            var members = Batch.Decide(read, c.Requests.Select(DecisionOf));
            var dropped = d.Where(i => i < members.Length).Distinct().ToArray();
            var going = Batch.GoingAgain(members, dropped);
            Assert.Superset(dropped.ToHashSet(), going.ToHashSet());
            var kept = Enumerable.Range(0, members.Length).Where(i => !going.Contains(i)).ToArray();
            foreach (var k in kept)
                foreach (var g in going.Where(g => g < k))
                    Assert.False(members[k].Touched.Overlaps(members[g].Touched), $"request {k} touched what request {g} did, yet is kept");
            var state = Batch.Commit(read, members, kept).Match(op => op switch
            {
                StoreOp.ReplacePool r => r.Next,
                StoreOp.CreatePool p => p.Initial,
                _ => throw new Xunit.Sdk.XunitException($"unexpected {op}"),
            }, () => read.State);
            // Offsets only dropped requests touched are as read.
            static IEnumerable<UInt128> Offsets(Member m) => m.Change.Set.Select(a => a.Offset).Concat(m.Change.Removed);
            var keptTouched = kept.SelectMany(k => Offsets(members[k])).ToHashSet();
            foreach (var o in going.SelectMany(g => Offsets(members[g])).Where(o => !keptTouched.Contains(o)))
                Assert.Equal(read.State.At(o), state.At(o));
            // Each kept request's answer holds in what is written, unless a later kept request undid it.
            for (var i = 0; i < kept.Length; i++)
            {
                var later = kept.Skip(i + 1).SelectMany(k => Offsets(members[k])).ToHashSet();
                foreach (var a in members[kept[i]].Change.Set.Where(a => !later.Contains(a.Offset)))
                    Assert.Equal(a, state.At(a.Offset));
                foreach (var o in members[kept[i]].Change.Removed.Where(o => !later.Contains(o)))
                    Assert.Null(state.At(o));
            }
            // No address is held twice.
            Assert.Equal(state.Allocations.Length, state.Allocations.Select(a => a.Owner.ContainerId).Distinct().Count());
        });

    static PoolSnapshot ReadOf(int[] taken, bool exists) => exists
        ? new PoolSnapshot(Key, new StoreVersion("41"), PoolState.Of(Range, taken.Select(o => new Allocation((UInt128)o, OwnerOf(100 + o)))))
        : PoolSnapshot.Missing(Key);
}
