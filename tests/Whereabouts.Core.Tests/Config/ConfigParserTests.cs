using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using static Whereabouts.Core.Tests.Config.ConfigText;

namespace Whereabouts.Core.Tests.Config;

public sealed class ConfigParserTests
{
    static Address A(string text) => Address.Parse(text).ThrowIfFail();

    [Fact]
    public void AFullConfigurationIsReadKeyForKey()
    {
        var stdin = Network("""
            "range": "192.168.2.227/28",
            "range_start": "192.168.2.226",
            "range_end": "192.168.2.230",
            "exclude": ["192.168.2.228/31", "192.168.2.229"],
            "ipRanges": [{ "range": "fd00:0:0:10::/64", "range_start": "fd00:0:0:10::10" }],
            "gateway": "192.168.2.225",
            "routes": [{ "dst": "0.0.0.0/0" }, { "dst": "10.9.0.0/16", "gw": "192.168.2.254" }],
            "dns": { "nameservers": ["10.96.0.10"], "domain": "cluster.local", "search": ["svc.cluster.local"], "options": ["ndots:5"] },
            "addresses": [{ "address": "10.10.0.1/24", "gateway": "10.10.0.254" }],
            "network_name": "blue",
            "enable_overlapping_ranges": false,
            "node_slice_size": "/30",
            "log_file": "/var/log/whereabouts.log",
            "log_level": "debug",
            "leader_lease_duration": 1500,
            "sleep_for_race": 1
            """);
        var s = Parse(stdin).ThrowIfFail();
        Assert.Equal(["192.168.2.224/28 from 192.168.2.226 to 192.168.2.230 excluding 192.168.2.228/31,192.168.2.229/32", "fd00:0:0:10::/64 from fd00:0:0:10::10"],
            s.Ranges.Map(r => r.ToString()).ToArray());
        Assert.Equal(A("192.168.2.225"), s.Gateway);
        Assert.Equal(["0.0.0.0/0 via -", "10.9.0.0/16 via 192.168.2.254"], s.Routes.Map(r => $"{r.Destination} via {r.Gateway.Map(g => g.ToString()).IfNone("-")}").ToArray());
        Assert.Equal(["10.96.0.10"], s.Dns.Nameservers.ToArray());
        Assert.Equal("cluster.local", s.Dns.Domain);
        Assert.Equal("10.10.0.1/24", s.Addresses.Single().Address.ToString());
        Assert.Equal("blue", s.NetworkName);
        Assert.False(s.OverlappingRanges);
        Assert.Equal(30, s.NodeSliceSize);
        Assert.Equal(LogLevel.Debug, s.LogLevel);
        Assert.Equal("/var/log/whereabouts.log", s.LogFile);
        Assert.Equal(new DatastoreSettings.Kubernetes("/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig"), s.Datastore);
    }

    [Fact]
    public void OverlappingRangesAreOnUnlessTurnedOff()
    {
        Assert.True(Parse(Network("\"range\": \"10.0.0.0/24\"")).ThrowIfFail().OverlappingRanges);
        Assert.False(Parse(Network("\"range\": \"10.0.0.0/24\", \"enable_overlapping_ranges\": false")).ThrowIfFail().OverlappingRanges);
    }

    [Fact]
    public void TheDashFormTakesTheStartFromTheLeftAndTheEndFromTheCidrAddress()
    {
        var range = Parse(Network("\"range\": \"192.168.2.225-192.168.2.230/28\"")).ThrowIfFail().Ranges.Single();
        Assert.Equal("192.168.2.224/28", range.Network.ToString());
        Assert.Equal(A("192.168.2.225"), range.Start);
        Assert.Equal(A("192.168.2.230"), range.End);
        Assert.Equal("1-6", Whereabouts.Core.Ranges.Allocatable.Of(range).ThrowIfFail().ToString());
    }

    [Fact]
    public void AnExplicitRangeStartWinsOverTheDashForm()
    {
        var range = Parse(Network("\"range\": \"192.168.2.225-192.168.2.230/28\", \"range_start\": \"192.168.2.228\"")).ThrowIfFail().Ranges.Single();
        Assert.Equal(A("192.168.2.228"), range.Start);
    }

    [Fact]
    public void LeadingZerosInConfiguredAddressesAreDecimal()
    {
        var range = Parse(Network("\"range\": \"010.000.000.000/24\", \"range_start\": \"010.0.0.010\"")).ThrowIfFail().Ranges.Single();
        Assert.Equal("10.0.0.0/24", range.Network.ToString());
        Assert.Equal(A("10.0.0.10"), range.Start);
    }

    /// <summary>Upstream's own test case (config_test.go): any number of leading zeros, in the dash form too.</summary>
    [Fact]
    public void UpstreamsLeadingZeroDashRangeIsRead()
    {
        var range = Parse(Network("\"range\": \"00192.00168.1.5-000000192.168.1.25/24\"")).ThrowIfFail().Ranges.Single();
        Assert.Equal("192.168.1.0/24 from 192.168.1.5 to 192.168.1.25", range.ToString());
    }

    /// <summary>range_start on the network address is upstream's default; allocation starts at the first usable address.</summary>
    [Theory]
    [InlineData("\"range\": \"2001:db8:5422:5::-2001:db8:5422:5:7fff:ffff:ffff:ffff/64\"", "2001:db8:5422:5::1")]
    [InlineData("\"range\": \"10.0.0.0/24\", \"range_start\": \"10.0.0.0\"", "10.0.0.1")]
    public void ARangeStartOnTheNetworkAddressStartsAtTheFirstUsableOne(string keys, string first)
    {
        var range = Parse(Network(keys)).ThrowIfFail().Ranges.Single();
        var allocatable = Core.Ranges.Allocatable.Of(range).ThrowIfFail();
        Assert.Equal(first, range.Configured.AddressAt(allocatable.Intervals[0].Lo).ToString());
    }

    /// <summary>The gateway is kept out of the ranges of its family that hold it, and only those.</summary>
    [Fact]
    public void TheGatewayIsNotAllocatableInItsRange()
    {
        var settings = Parse(Network("\"ipRanges\": [{\"range\": \"10.0.0.0/30\"}, {\"range\": \"10.0.1.0/30\"}, {\"range\": \"fd00::/126\"}], \"gateway\": \"10.0.0.1\"")).ThrowIfFail();
        var sets = settings.Ranges.Select(r => Core.Ranges.Allocatable.Of(r).ThrowIfFail().ToString()).ToArray();
        Assert.Equal(["2", "1-2", "1-2"], sets);
    }

    [Theory]
    [InlineData("file", "{\"dir\": \"/tmp/w\"}")]
    [InlineData("etcd", "")]
    public void OtherDatastoresAreRead(string datastore, string file)
    {
        var keys = $"\"range\": \"10.0.0.0/24\", \"datastore\": \"{datastore}\", \"etcd_host\": \"10.0.0.2:2379, 10.0.0.3:2379\", \"etcd_username\": \"u\""
                   + (file.Length > 0 ? $", \"file\": {file}" : "");
        var settings = Parse(Network(keys)).ThrowIfFail();
        if (datastore == "file")
        {
            Assert.Equal(new DatastoreSettings.File("/tmp/w"), settings.Datastore);
            return;
        }
        // Endpoints is an ImmutableArray, which records compare (and print) by reference: check it by content.
        var etcd = Assert.IsType<DatastoreSettings.Etcd>(settings.Datastore);
        Assert.Equal(["10.0.0.2:2379", "10.0.0.3:2379"], etcd.Endpoints.ToArray());
        Assert.Equal(new DatastoreSettings.Etcd(etcd.Endpoints, "u", "", "", "", ""), etcd);
    }

    [Fact]
    public void TheNetworkConfigurationCarriesVersionNameRuntimeIpsPrevResultAndValidAttachments()
    {
        var stdin = """
            {
              "cniVersion": "1.1.0", "name": "blue-net", "type": "macvlan",
              "runtimeConfig": { "ips": ["10.0.0.9/24", "fd00::9"] },
              "prevResult": { "cniVersion": "1.1.0", "ips": [{ "address": "10.0.0.9/24" }] },
              "cni.dev/valid-attachments": [{ "containerID": "c1", "ifname": "net1" }, { "containerID": "c2", "ifname": "net2" }],
              "ipam": { "type": "whereabouts", "range": "10.0.0.0/24" }
            }
            """;
        var network = ConfigParser.ParseNetwork(stdin).ThrowIfFail();
        Assert.Equal(CniVersion.Latest, network.Version);
        Assert.Equal("blue-net", network.Name);
        Assert.Equal([A("10.0.0.9"), A("fd00::9")], network.RuntimeIps.ToArray());
        Assert.Equal(["10.0.0.9/24"], network.PreviousAddresses.Map(a => a.ToArray()).IfNone([]));
        Assert.Equal(["c1/net1", "c2/net2"], network.ValidAttachments.ThrowIfFail().Map(a => $"{a.ContainerId}/{a.IfName}").ToArray());
    }

    [Theory]
    [InlineData("""{"cniVersion": "0.2.0", "ip4": {"ip": "10.0.0.9/24"}, "ip6": {"ip": "fd00::9/64"}}""", "10.0.0.9/24,fd00::9/64")]
    [InlineData("""{"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.9/24"}, {"interface": 0}, "junk"], "ip4": {"ip": "10.0.0.8/24"}}""", "10.0.0.9/24,10.0.0.8/24")]
    [InlineData("""{"cniVersion": "1.0.0"}""", "")]
    public void PrevResultAddressesComeFromIpsThenTheLegacyIp4AndIp6(string prevResult, string expected)
    {
        var network = ConfigParser.ParseNetwork("""{"cniVersion": "1.0.0", "name": "n", "prevResult": """ + prevResult + """, "ipam": {"range": "10.0.0.0/24"} }""").ThrowIfFail();
        Assert.Equal(expected, string.Join(",", network.PreviousAddresses.Map(a => a.ToArray()).IfNone([])));
    }

    [Fact]
    public void AMissingCniVersionMeans010()
    {
        var network = ConfigParser.ParseNetwork("""{"name": "n", "ipam": {"range": "10.0.0.0/24"}}""").ThrowIfFail();
        Assert.Equal(new CniVersion(0, 1, 0), network.Version);
    }

    [Fact]
    public void EverySupportedVersionParsesAndNothingElse()
    {
        foreach (var v in new[] { "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" })
            Assert.Equal(v, CniVersion.Parse(v).ThrowIfFail().ToString());
        foreach (var v in new[] { "0.5.0", "1.2.0", "1.0", "v1.0.0", " 1.0.0" })
            Assert.Equal(Errors.IncompatibleVersionCode, CniVersion.Parse(v).Match(Succ: _ => 0, Fail: e => e.Code));
    }
}
