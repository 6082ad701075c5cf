using System.Collections.Immutable;
using System.Text.Json.Nodes;
using CsCheck;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores;
using Xunit;
using static Whereabouts.Cni.Tests.PluginHarness;

namespace Whereabouts.Cni.Tests;

/// <summary>
/// An ADD killed between its reservation create and its pool write, simulated by writing the reservation it
/// would have written and no pool entry; then the verbs, through the dispatcher.
/// </summary>
public sealed class OrphanedReservationTests
{
    readonly PluginHarness plugin = new();

    const string Slash30 = """{"type":"whereabouts","range":"10.9.0.0/30","datastore":"file"}""";

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();

    static string Gc(string ipam, params (string ContainerId, string IfName)[] valid) =>
        $$"""{"cniVersion":"1.1.0","name":"testnet","type":"macvlan","ipam":{{ipam}},"cni.dev/valid-attachments":[{{string.Join(",", valid.Select(v => $$"""{"containerID":"{{v.ContainerId}}","ifname":"{{v.IfName}}"}"""))}}]}""";

    /// <summary>What a killed ADD leaves: the reservation, written as the plugin writes it, and no pool entry.</summary>
    async Task Orphan(string ip, string containerId, string pod, string network = "") =>
        Assert.Equal(ApplyResult.Applied, await plugin.Store.Apply(
            new StoreOp.CreateReservation(ReservationKey.For(Address.Parse(ip).ThrowIfFail(), network), new Owner(containerId, pod, "net1")), default));

    async Task<string[]> Reservations() => (await plugin.Store.ListReservations("", default)).Select(e => $"{e.Name} {e.Owner.ContainerId}").ToArray();

    [Fact]
    public async Task DelOfTheOwnerFreesTheAddressAKilledAddReserved()
    {
        Assert.Equal(0, (await plugin.Invoke("ADD", Conf("1.0.0", Slash30), "a", pod: "default/a")).ExitCode);
        await Orphan("10.9.0.2", "b", "default/b");
        // The /30 has two addresses and one pod: the orphan makes it look full.
        Assert.Equal(1, (await plugin.Invoke("ADD", Conf("1.0.0", Slash30), "c", pod: "default/c")).ExitCode);
        Assert.Equal(0, (await plugin.Invoke("DEL", Conf("1.0.0", Slash30), "b", pod: "default/b")).ExitCode);
        Assert.Equal(["10.9.0.1 a"], await Reservations());
        var c = await plugin.Invoke("ADD", Conf("1.0.0", Slash30), "c", pod: "default/c");
        Assert.Equal((0, "10.9.0.2/30"), (c.ExitCode, AddressOf(c.Stdout)));
    }

    [Fact]
    public async Task ARepeatedAddOfTheSameInterfaceTakesTheAddressItsKilledAddReserved()
    {
        await Orphan("10.9.0.1", "a", "default/a");
        var again = await plugin.Invoke("ADD", Conf("1.0.0", Slash30), "a", pod: "default/a");
        Assert.Equal((0, "10.9.0.1/30"), (again.ExitCode, AddressOf(again.Stdout)));
        Assert.Equal(["10.9.0.1 a"], await Reservations());
        // A new sandbox of the pod takes the orphan over too, and the old sandbox's late DEL leaves it alone.
        await Orphan("10.9.0.2", "b-old", "default/b");
        var b = await plugin.Invoke("ADD", Conf("1.0.0", Slash30), "b-new", pod: "default/b");
        Assert.Equal((0, "10.9.0.2/30"), (b.ExitCode, AddressOf(b.Stdout)));
        Assert.Equal(0, (await plugin.Invoke("DEL", Conf("1.0.0", Slash30), "b-old", pod: "default/b")).ExitCode);
        Assert.Equal(["10.9.0.1 a", "10.9.0.2 b-new"], await Reservations());
    }

    [Fact]
    public async Task GcDeletesAnOrphanWhoseOwnerIsNotValidButNotAnotherConfigurationsReservation()
    {
        var wide = """{"type":"whereabouts","range":"192.168.22.0/24","datastore":"file"}""";
        var narrow = """{"type":"whereabouts","range":"192.168.22.0/28","datastore":"file"}""";
        Assert.Equal(0, (await plugin.Invoke("ADD", Conf("1.1.0", wide), "p1", pod: "default/p1")).ExitCode); // .1, in the /24's pool
        await Orphan("192.168.22.2", "p2", "default/p2");
        await Orphan("192.168.22.3", "p3", "default/p3");
        // The /28's GC: p1's reservation is backed by the /24's pool, p3 is still valid, p2 is gone.
        Assert.Equal(0, (await plugin.Invoke("GC", Gc(narrow, ("p3", "net1")))).ExitCode);
        Assert.Equal(["192.168.22.1 p1", "192.168.22.3 p3"], await Reservations());
        var next = await plugin.Invoke("ADD", Conf("1.1.0", narrow), "p4", pod: "default/p4");
        Assert.Equal("192.168.22.2/28", AddressOf(next.Stdout));
    }

    // ---- the property: any mix of ADD, killed ADD, DEL and GC on two configurations sharing reservations ----

    sealed record Op(int Kind, int Pod, int Config);

    static readonly string[] Configs =
    [
        """{"type":"whereabouts","range":"10.7.0.0/28","datastore":"file"}""",
        """{"type":"whereabouts","range":"10.7.0.0/29","datastore":"file"}""",
    ];

    static readonly Gen<Op[]> Ops = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 5], Gen.Int[0, 1], (k, p, c) => new Op(k, p, c)).Array[1, 40];

    [Fact]
    public Task NoAddressIsHeldTwiceOrWithoutItsReservationAndCleanUpLeavesNothing() =>
        Ops.SampleAsync(async ops =>
        {
            var plugin = new PluginHarness();
            var attached = new System.Collections.Generic.HashSet<(int Pod, int Config)>();
            foreach (var op in ops)
            {
                var (cid, pod, ifName) = ($"c{op.Pod}", $"default/p{op.Pod}", $"net{op.Config}");
                switch (op.Kind)
                {
                    case 0:
                        if ((await plugin.Invoke("ADD", Conf("1.1.0", Configs[op.Config]), cid, ifName, pod)).ExitCode == 0) attached.Add((op.Pod, op.Config));
                        break;
                    case 1 when !attached.Contains((op.Pod, op.Config)):
                        await KilledAdd(plugin, new Owner(cid, pod, ifName), op.Config);
                        break;
                    case 2:
                        Assert.Equal(0, (await plugin.Invoke("DEL", Conf("1.1.0", Configs[op.Config]), cid, ifName, pod)).ExitCode);
                        attached.Remove((op.Pod, op.Config));
                        break;
                    case 3:
                        var valid = attached.Where(a => a.Config == op.Config).Select(a => ($"c{a.Pod}", $"net{a.Config}")).ToArray();
                        Assert.Equal(0, (await plugin.Invoke("GC", Gc(Configs[op.Config], valid))).ExitCode);
                        break;
                }
                await EveryAllocationIsReservedOnce(plugin);
            }
            // The runtime deletes what it attached, then collects with nothing valid: nothing may be left.
            foreach (var (p, c) in attached) await plugin.Invoke("DEL", Conf("1.1.0", Configs[c]), $"c{p}", $"net{c}", $"default/p{p}");
            for (var c = 0; c < Configs.Length; c++) Assert.Equal(0, (await plugin.Invoke("GC", Gc(Configs[c]))).ExitCode);
            Assert.Empty(await plugin.Store.ListReservations("", default));
            Assert.All(await plugin.Store.ListPools("", default), p => Assert.Empty(p.State.Allocations));
        }, iter: 150);

    /// <summary>The first steps of a real ADD, up to and including its reservation creates; the pool write never happens.</summary>
    static async Task KilledAdd(PluginHarness plugin, Owner owner, int config)
    {
        var range = RangeSpec.Of(Cidr.Parse(config == 0 ? "10.7.0.0/28" : "10.7.0.0/29").ThrowIfFail());
        var scope = new NetworkScope([range], "", true);
        var pools = (await Task.WhenAll(scope.PoolKeys.Select(k => plugin.Store.LoadPool(k, default)))).ToImmutableArray();
        var known = (await plugin.Store.ListReservations("", default))
            .Aggregate(KnownReservations.None, (k, e) => ReservationKey.Parse(e.Name, "").Match(key => k.With(key, e.Owner), () => k));
        if (Allocator.Decide(new AddRequest(owner, scope, []), pools, known).Case is not Plan plan) return;
        foreach (var step in plan.Steps.TakeWhile(s => s.Do is StoreOp.CreateReservation or StoreOp.DeleteReservation))
            await plugin.Store.Apply(step.Do, default);
    }

    static async Task EveryAllocationIsReservedOnce(PluginHarness plugin)
    {
        var reservations = (await plugin.Store.ListReservations("", default)).ToDictionary(e => e.Name, e => e.Owner);
        var held = new Dictionary<Address, Owner>();
        foreach (var pool in await plugin.Store.ListPools("", default))
            foreach (var a in pool.State.Allocations)
            {
                var address = pool.State.Range.AddressAt(a.Offset);
                Assert.True(held.TryAdd(address, a.Owner), $"{address} is held twice");
                Assert.True(reservations.TryGetValue(ReservationKey.For(address, "").Name, out var r) && Ownership.SameAttachment(r, a.Owner),
                    $"{address} of {a.Owner} has no reservation of its own");
            }
    }
}
