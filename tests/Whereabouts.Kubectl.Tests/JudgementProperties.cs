using System.Collections.Immutable;
using CsCheck;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Kubectl.Model;

namespace Whereabouts.Kubectl.Tests;

/// <summary>release's and import's judgements, over random pools, pods and host-local directories.</summary>
public sealed class JudgementProperties
{
    static readonly Cidr Range = Cidr.Parse("10.0.0.0/28").ThrowIfFail();
    static readonly PoolKey Key = PoolKey.For(Range, "");
    static readonly string[] Phases = ["", "Pending", "Running", "Succeeded", "Failed", "Unknown"];

    static readonly Gen<(int Offset, int Pod)[]> HeldGen = Gen.Select(Gen.Int[1, 14], Gen.Int[0, 3]).Array[0, 10].Select(a => a.DistinctBy(x => x.Item1).Select(x => (Offset: x.Item1, Pod: x.Item2)).ToArray());
    static readonly Gen<string[]> PodsGen = Gen.Int[0, Phases.Length - 1].Select(i => Phases[i]).Array[4];

    static ClusterView View((int Offset, int Pod)[] held, string[] pods) => new(
        [new PoolSnapshot(Key, new StoreVersion("1"), PoolState.Of(Range, held.Select(h => new Allocation((UInt128)h.Offset, new Owner($"c{h.Pod}", $"ns/p{h.Pod}", "net1")))))],
        [],
        Enumerable.Range(0, 4).Where(i => pods[i].Length > 0).ToImmutableDictionary(i => $"ns/p{i}", i => new PodInfo($"ns/p{i}", "n", pods[i], null)),
        []);

    [Fact]
    public void ReleaseFreesExactlyWhatThePodHoldsAndOnlyWhenItIsNotRunningOrForced() =>
        Gen.Select(HeldGen, PodsGen, Gen.Int[0, 3], Gen.Bool).Sample((held, pods, pod, force) =>
        {
            var decision = ReleaseChoice.Decide(View(held, pods), new Target.OfPod($"ns/p{pod}"), "", force);
            var mine = held.Where(h => h.Pod == pod).Select(h => Range.AddressAt((UInt128)h.Offset)).Order().ToArray();
            var live = pods[pod] is "Pending" or "Running" or "Unknown";
            switch (decision)
            {
                case ReleaseDecision.NothingHeld: Assert.Empty(mine); break;
                case ReleaseDecision.Refused: Assert.True(live && !force && mine.Length > 0); break;
                case ReleaseDecision.Release r:
                    Assert.False(live && !force);
                    Assert.Equal(mine, r.Holdings.Select(h => h.Address).Order().ToArray());
                    break;
            }
        });

    [Fact]
    public void ReleaseDeletesExactlyThePodsReservationsThatNoPoolBacks() =>
        Gen.Select(HeldGen, Gen.Select(Gen.Int[1, 14], Gen.Int[0, 3]).Array[0, 8], Gen.Int[0, 3]).Sample((held, reserved, pod) =>
        {
            var entries = reserved.DistinctBy(r => r.Item1)
                .Select(r => new ReservationEntry(ReservationKey.For(Range.AddressAt((UInt128)r.Item1), "").Name, new Owner("", $"ns/p{r.Item2}", "net1")))
                .ToImmutableArray();
            var view = View(held, ["", "", "", ""]) with { Reservations = entries };
            var unbacked = reserved.DistinctBy(r => r.Item1).Where(r => r.Item2 == pod && held.All(h => h.Offset != r.Item1))
                .Select(r => Range.AddressAt((UInt128)r.Item1).ToString()).Order().ToArray();
            var decision = ReleaseChoice.Decide(view, new Target.OfPod($"ns/p{pod}"), "", force: false);
            var orphans = decision is ReleaseDecision.Release r ? r.Orphans.Select(o => o.Name).Order().ToArray() : [];
            Assert.Equal(unbacked, orphans);
        });

    [Fact]
    public void ImportNeverTakesWhatAnotherHoldsAndRefusesWhatLiesOutside() =>
        Gen.Select(HeldGen, Gen.Select(Gen.Int[0, 20], Gen.Int[0, 5]).Array[0, 10]).Sample((held, files) =>
        {
            var state = PoolState.Of(Range, held.Select(h => new Allocation((UInt128)h.Offset, new Owner($"c{h.Pod}", $"ns/p{h.Pod}", "net1"))));
            var entries = files.DistinctBy(f => f.Item1)
                .Select(f => new HostLocalEntry(new Address(IpFamily.V4, Range.Network.Value + (UInt128)f.Item1), $"c{f.Item2}", "net1")).ToImmutableArray();
            var items = ImportPlan.Decide(entries, [Range], "", _ => state, [], ImmutableDictionary<string, string>.Empty, true);
            foreach (var item in items)
            {
                var offset = (int)(item.Entry.Address.Value - Range.Network.Value);
                var holder = held.Where(h => h.Offset == offset).Select(h => (int?)h.Pod).FirstOrDefault();
                var expected = offset is < 1 or > 14 ? ImportVerdict.OutsideRange
                    : holder is null ? ImportVerdict.Import
                    : $"c{holder}" == item.Entry.ContainerId ? ImportVerdict.AlreadyThere : ImportVerdict.Conflict;
                Assert.Equal(expected, item.Verdict);
            }
        });

    [Fact]
    public void HostLocalFilesOfEveryVersionAreRead()
    {
        var (entries, skipped) = HostLocalFiles.Read([
            ("10.0.0.2", "abc\r\neth0"), ("10.0.0.3", "def"), ("fd00::5", "ghi\r\nnet1\r\n"), ("last_reserved_ip.0", "10.0.0.3"), ("lock", ""), ("notes.txt", "x"),
        ]);
        Assert.Equal(["10.0.0.2 abc eth0", "10.0.0.3 def ", "fd00::5 ghi net1"], entries.Select(e => $"{e.Address} {e.ContainerId} {e.IfName}"));
        Assert.Equal(new[] { "notes.txt" }, skipped.ToArray());
    }

    [Fact]
    public void PodRefsAreContainerIdThenNamespaceSlashName() =>
        Assert.Equal(
            new Dictionary<string, string> { ["abc"] = "default/web-1", ["def"] = "kube-system/dns" },
            HostLocalFiles.PodRefs("# crictl\nabc default/web-1\n\ndef\tkube-system/dns  # comment\nbroken line here\n"));
}
