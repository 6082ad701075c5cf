using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// An ADD killed between its reservation create and its pool write, on the published binary and the file
/// datastore: the crash is simulated by writing the reservation document the plugin writes, with no pool entry.
/// </summary>
public sealed class OrphanedReservationEndToEndTests : IDisposable
{
    readonly TempDir store = new();

    public void Dispose() => store.Dispose();

    static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();

    string Ipam => FileIpam(store.Path, "10.9.0.0/30");

    void KilledAdd(string ip, string containerId, string pod)
    {
        var dir = System.IO.Path.Combine(store.Path, "reservations");
        Directory.CreateDirectory(dir);
        File.WriteAllText(System.IO.Path.Combine(dir, ip + ".json"),
            $$$"""{"apiVersion":"whereabouts.cni.cncf.io/v1alpha1","kind":"OverlappingRangeIPReservation","metadata":{"name":"{{{ip}}}","resourceVersion":"1"},"spec":{"containerid":"{{{containerId}}}","podref":"{{{pod}}}","ifname":"net1"}}""");
    }

    [Fact]
    public async Task DelOfTheKilledAddsOwnerFreesTheSlash30()
    {
        Assert.Equal(0, (await Run("ADD", Conf("1.0.0", Ipam), "a", pod: "default/a")).ExitCode);
        KilledAdd("10.9.0.2", "b", "default/b");
        Assert.Equal(1, (await Run("ADD", Conf("1.0.0", Ipam), "c", pod: "default/c")).ExitCode);
        Assert.Equal(0, (await Run("DEL", Conf("1.0.0", Ipam), "b", pod: "default/b")).ExitCode);
        Assert.Equal(["10.9.0.1"], StoredPools.ReservationNames(store.Path));
        var c = await Run("ADD", Conf("1.0.0", Ipam), "c", pod: "default/c");
        Assert.Equal((0, "10.9.0.2/30"), (c.ExitCode, AddressOf(c.Stdout)));
    }

    [Fact]
    public async Task ARepeatedAddAdoptsItsOrphanAndGcDeletesAGoneOnesOrphan()
    {
        KilledAdd("10.9.0.1", "a", "default/a");
        var again = await Run("ADD", Conf("1.0.0", Ipam), "a", pod: "default/a");
        Assert.Equal((0, "10.9.0.1/30"), (again.ExitCode, AddressOf(again.Stdout)));
        KilledAdd("10.9.0.2", "gone", "default/gone");
        var gc = Conf("1.1.0", Ipam, ""","cni.dev/valid-attachments":[{"containerID":"a","ifname":"net1"}]""");
        Assert.Equal(0, (await Run("GC", gc)).ExitCode);
        Assert.Equal(["10.9.0.1"], StoredPools.ReservationNames(store.Path));
        Assert.Single(StoredPools.Allocations(store.Path, "10.9.0.0-30"));
    }
}
