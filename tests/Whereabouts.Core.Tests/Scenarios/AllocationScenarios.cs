using System.Text;
using Newtonsoft.Json.Linq;
using Snapshooter.Xunit;
using Whereabouts.Core.Pools;

namespace Whereabouts.Core.Tests.Scenarios;

/// <summary>
/// Whole ADD/DEL stories, snapshotted: the configuration as understood, each CNI result or error as the plugin
/// prints it, and what the store ends up holding in upstream's wire format.
/// </summary>
public sealed class AllocationScenarios
{
    [Fact]
    public void TheBlogExampleGivesTwoPodsTheFirstTwoAddresses()
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
        var first = s.Add("default/samplepod-1", "0f1b2c3d");
        var second = s.Add("default/samplepod-2", "4e5f6a7b");
        Snapshot.Match(new { ranges = s.Ranges(), first, second, stored = s.Stored() });
    }

    [Fact]
    public void DualStackGivesOneAddressPerRangeWithTheGatewayOnlyOnItsFamily()
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
        var first = s.Add("default/pod-a", "aaaa");
        var second = s.Add("default/pod-b", "bbbb");
        var released = s.Del("aaaa");
        Snapshot.Match(new { ranges = s.Ranges(), first, second, releasedByDelOfPodA = released, stored = s.Stored() });
    }

    [Fact]
    public void ExhaustionIsReportedWithTheRangeAndWhatIsAllocatable()
    {
        var s = new Scenario("""
            {
              "cniVersion": "0.4.0",
              "name": "tiny",
              "type": "bridge",
              "ipam": { "type": "whereabouts", "range": "10.30.0.0/30" }
            }
            """);
        var results = Enumerable.Range(1, 3).Select(i => s.Add($"default/pod-{i}", $"c{i}")).ToArray();
        Snapshot.Match(new { ranges = s.Ranges(), results, stored = s.Stored() });
    }

    [Fact]
    public void ExclusionsAndRangeEndAreSkippedUntilTheRangeRunsOut()
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
        var addresses = Enumerable.Range(1, 7).Select(i => Summary(s.Add($"default/pod-{i}", $"c{i}"))).ToArray();
        Snapshot.Match(new { ranges = s.Ranges(), addresses, stored = s.Stored() });
    }

    [Fact]
    public void Ipv6PastTheFirstSlash65IsStoredAsANonNegativeDecimalKey()
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
        var results = Enumerable.Range(1, 3).Select(i => s.Add($"default/pod-{i}", $"c{i}")).ToArray();
        var pool = s.Store.Pools.Values.Single().State;
        Snapshot.Match(new
        {
            ranges = s.Ranges(),
            results,
            visibleToUpstream = pool.Allocations.Select(a => $"{OffsetCodec.Format(a.Offset)}: {OffsetCodec.IsVisibleToUpstream(a.Offset)}").ToArray(),
            stored = s.Stored(),
        });
    }

    [Fact]
    public void APoolUpstreamWroteWithNegativeKeysIsReadExtendedAndWrittenBackNonNegative()
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
        s.Store.Seed(key, PoolCodec.Decode(key.Name, Encoding.UTF8.GetBytes(upstream)).ThrowIfFail());
        var newPod = s.Add("default/new-pod", "fresh");
        var releasedLegacy1 = s.Del("legacy-1");
        var releasedLegacy3 = s.Del("legacy-3");
        var nextPod = s.Add("default/next-pod", "fresh-2");
        Snapshot.Match(new { decoded = Decoded(key, upstream), newPod, releasedLegacy1, releasedLegacy3, nextPod, stored = s.Stored() });
    }

    static string[] Decoded(PoolKey key, string json) =>
        PoolCodec.Decode(key.Name, Encoding.UTF8.GetBytes(json)).ThrowIfFail().Allocations
            .Select(a => $"{OffsetCodec.Format(a.Offset)} = {key.Range.AddressAt(a.Offset)} held by {a.Owner.ContainerId} {a.Owner}")
            .ToArray();

    /// <summary>The address of a result, or the error's code and message.</summary>
    static string Summary(JToken result) =>
        result["ips"] is JArray ips ? string.Join(", ", ips.Select(ip => (string?)ip["address"])) : $"error {result["code"]}: {result["msg"]}";
}
