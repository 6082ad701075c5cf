using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Newtonsoft.Json.Linq;
using Snapshooter;
using Snapshooter.Xunit;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Cni;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;

namespace Whereabouts.Core.Tests.Scenarios;

/// <summary>The CNI result in every spec version, CNI error JSON and the VERSION answer, snapshotted.</summary>
public sealed class CniOutputScenarios
{
    static readonly ScenarioConfig Rich = new("""
        {
          "cniVersion": "1.1.0",
          "name": "rich",
          "type": "macvlan",
          "ipam": {
            "type": "whereabouts",
            "ipRanges": [{ "range": "10.50.0.0/24" }, { "range": "fd00:50::/64" }],
            "gateway": "10.50.0.1",
            "routes": [{ "dst": "0.0.0.0/0" }, { "dst": "192.168.0.0/16", "gw": "10.50.0.254" }, { "dst": "::/0", "gw": "fd00:50::1" }],
            "dns": { "nameservers": ["10.96.0.10", "fd00:96::a"], "domain": "cluster.local", "search": ["default.svc.cluster.local", "svc.cluster.local"], "options": ["ndots:5"] },
            "addresses": [{ "address": "10.60.0.5/24", "gateway": "10.60.0.1" }, { "address": "fd00:60::5/64" }]
          }
        }
        """);

    static readonly ImmutableArray<Lease> Leases = ImmutableArray.Create(
        new Lease(Address.Parse("10.50.0.2").ThrowIfFail(), Cidr.Parse("10.50.0.0/24").ThrowIfFail()),
        new Lease(Address.Parse("fd00:50::2").ThrowIfFail(), Cidr.Parse("fd00:50::/64").ThrowIfFail()));

    public static TheoryData<string> Versions => new(CniVersion.Supported.Map(v => v.ToString()));

    [Theory]
    [MemberData(nameof(Versions))]
    public void TheResultIsRenderedInTheConfiguredVersion(string version)
    {
        var rendered = ResultRenderer.Render(CniVersion.Parse(version).ThrowIfFail(), Leases, Rich.Settings);
        Snapshot.Match(JToken.Parse(rendered), SnapshotNameExtension.Create(version));
    }

    [Fact]
    public void ErrorsAreRenderedAsCniErrorJson()
    {
        var invalid = IpamReader.Read("""{"range": "10.0.0.0/33", "gateway": "nope", "datastore": "consul"}"""u8).Bind(ConfigParser.ParseIpam);
        var errors = new (string Case, string Version, Error Error)[]
        {
            ("range exhausted", "1.1.0", Errors.RangeExhausted("10.30.0.0/30", "10.30.0.1-10.30.0.2")),
            ("address taken", "1.0.0", Errors.AddressTaken("10.0.0.5", "default/pod-a (net1)")),
            ("invalid configuration, every problem in details", "0.4.0", invalid.Match(Succ: _ => throw new InvalidOperationException("must fail"), Fail: e => e)),
            ("undecodable stdin", "0.3.1", ConfigParser.ParseNetwork("{").Match(Succ: _ => throw new InvalidOperationException("must fail"), Fail: e => e)),
            ("unsupported version", "1.1.0", CniVersion.Parse("9.9.9").Match(Succ: _ => throw new InvalidOperationException("must fail"), Fail: e => e)),
            ("unexpected exception", "1.1.0", Error.New(new InvalidOperationException("the store answered nonsense"))),
            ("try again later", "1.1.0", Error.New(Errors.TryAgainLaterCode, "pool 10.0.0.0-24 kept changing: gave up after 12 attempts in 10 s")),
        };
        Snapshot.Match(errors.Select(e => new { e.Case, rendered = JToken.Parse(CniError.From(e.Error).Render(CniVersion.Parse(e.Version).ThrowIfFail())) }).ToArray());
    }

    [Fact]
    public void VersionListsEverySupportedVersion() =>
        Snapshot.Match(JToken.Parse(ResultRenderer.RenderVersions(CniVersion.Latest)));
}
