using System.Text;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;
using Whereabouts.Core;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.Tests.Engine;
using Xunit;

namespace Whereabouts.Stores.Tests.Scenarios;

/// <summary>
/// Whole ADD/DEL stories through the real retry loop over the in-memory store, snapshotted: the configuration as understood, each CNI result or error as the plugin
/// prints it, and what the store ends up holding in upstream's wire format.
/// </summary>
public sealed class AllocationScenarios
{
    [Fact]
    public async Task TheBlogExampleGivesTwoPodsTheFirstTwoAddresses()
    {
        var s = new Scenario("""
            {
              "cniVersion": "0.3.0",
              "name": "whereaboutsexample",
              "type": "macvlan",
              "master": "eth0",
              "mode": "bridge",
              "ipam": {
                "type": "whereabouts",
                "range": "192.168.2.225/28"
              }
            }
            """);
        var first = await s.Add("default/samplepod-1", "0f1b2c3d");
        var second = await s.Add("default/samplepod-2", "4e5f6a7b");
        Snapshot.Match(new { ranges = s.Ranges(), first, second, stored = await s.Stored() });
    }

    [Fact]
    public async Task DualStackGivesOneAddressPerRangeWithTheGatewayOnlyOnItsFamily()
    {
        var s = new Scenario("""
            {
              "cniVersion": "1.0.0",
              "name": "dualstack",
              "type": "macvlan",
              "ipam": {
                "type": "whereabouts",
                "ipRanges": [
                  { "range": "10.20.0.0/24", "range_start": "10.20.0.10" },
                  { "range": "fd00:20::/64" }
                ],
                "gateway": "10.20.0.1",
                "network_name": "blue"
              }
            }
            """);
        var first = await s.Add("default/pod-a", "aaaa");
        var second = await s.Add("default/pod-b", "bbbb");
        var released = await s.Del("aaaa");
        Snapshot.Match(new { ranges = s.Ranges(), first, second, releasedByDelOfPodA = released, stored = await s.Stored() });
    }

    [Fact]
    public async Task ExhaustionIsReportedWithTheRangeAndWhatIsAllocatable()
    {
        var s = new Scenario("""
            {
              "cniVersion": "0.4.0",
              "name": "tiny",
              "type": "bridge",
              "ipam": { "type": "whereabouts", "range": "10.30.0.0/30" }
            }
            """);
        var results = await s.AddPods(3);
        Snapshot.Match(new { ranges = s.Ranges(), results, stored = await s.Stored() });
    }

    [Fact]
    public async Task ExclusionsAndRangeEndAreSkippedUntilTheRangeRunsOut()
    {
        var s = new Scenario("""
            {
              "cniVersion": "0.3.1",
              "name": "excluded",
              "type": "ipvlan",
              "ipam": {
                "type": "whereabouts",
                "range": "10.40.0.0/28",
                "range_end": "10.40.0.10",
                "exclude": ["10.40.0.0/30", "10.40.0.7"]
              }
            }
            """);
        var addresses = (await s.AddPods(7)).Select(Summary).ToArray();
        Snapshot.Match(new { ranges = s.Ranges(), addresses, stored = await s.Stored() });
    }

    [Fact]
    public async Task Ipv6PastTheFirstSlash65IsStoredAsANonNegativeDecimalKey()
    {
        var s = new Scenario("""
            {
              "cniVersion": "1.1.0",
              "name": "v6-upper-half",
              "type": "macvlan",
              "ipam": {
                "type": "whereabouts",
                "range": "fd00:0:0:10::/64",
                "range_start": "fd00:0:0:10:8000::",
                "range_end": "fd00:0:0:10:8000::2"
              }
            }
            """);
        var results = await s.AddPods(3);
        var pool = (await s.Store.Pools()).Single().State;
        Snapshot.Match(new
        {
            ranges = s.Ranges(),
            results,
            visibleToUpstream = pool.Allocations.Select(a => $"{OffsetCodec.Format(a.Offset)}: {OffsetCodec.IsVisibleToUpstream(a.Offset)}").ToArray(),
            stored = await s.Stored(),
        });
    }

    [Fact]
    public async Task APoolUpstreamWroteWithNegativeKeysIsReadExtendedAndWrittenBackNonNegative()
    {
        var s = new Scenario("""
            {
              "cniVersion": "0.3.1",
              "name": "migrated",
              "type": "macvlan",
              "ipam": { "type": "whereabouts", "range": "fd00:0:0:10::/64" }
            }
            """);
        const string upstream = """
            {
              "range": "fd00:0:0:10::/64",
              "allocations": {
                "1": { "id": "legacy-1", "podref": "default/old-1" },
                "2": { "id": "modern-2", "podref": "default/old-2", "ifname": "net1" },
                "-3844666706890850303": { "id": "legacy-3", "podref": "default/old-3" }
              }
            }
            """;
        var key = s.Scope.PoolKeys[0];
        await s.Store.Seed(key, PoolCodec.Decode(key.Name, Encoding.UTF8.GetBytes(upstream)).ThrowIfFail());
        var newPod = await s.Add("default/new-pod", "fresh");
        var releasedLegacy1 = await s.Del("legacy-1");
        var releasedLegacy3 = await s.Del("legacy-3");
        var nextPod = await s.Add("default/next-pod", "fresh-2");
        Snapshot.Match(new { decoded = Decoded(key, upstream), newPod, releasedLegacy1, releasedLegacy3, nextPod, stored = await s.Stored() });
    }

    static string[] Decoded(PoolKey key, string json) =>
        PoolCodec.Decode(key.Name, Encoding.UTF8.GetBytes(json)).ThrowIfFail().Allocations
            .Select(a => $"{OffsetCodec.Format(a.Offset)} = {key.Range.AddressAt(a.Offset)} held by {a.Owner.ContainerId} {a.Owner}")
            .ToArray();

    /// <summary>The address of a result, or the error's code and message.</summary>
    static string Summary(JToken result) =>
        result["ips"] is JArray ips ? string.Join(", ", ips.Select(ip => (string?)ip["address"])) : $"error {result["code"]}: {result["msg"]}";
}
