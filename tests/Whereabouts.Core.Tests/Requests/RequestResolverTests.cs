using System.Collections.Immutable;
using CsCheck;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Config;
using Whereabouts.Core.Requests;

namespace Whereabouts.Core.Tests.Requests;

/// <summary>Request resolution as a pure function: what it asks for, in what order, and what it makes of the answers.</summary>
public sealed class RequestResolverTests
{
    static readonly ImmutableArray<string> Standard = FlatFile.SearchPaths("");

    static Func<string, string?> Env(string command, string args = "", string? flatFile = null, string? nodeName = null) =>
        name => name switch
        {
            "CNI_COMMAND" => command,
            "CNI_CONTAINERID" => "c1",
            "CNI_NETNS" => "/var/run/netns/c1",
            "CNI_IFNAME" => "net1",
            "CNI_PATH" => "/opt/cni/bin",
            "CNI_ARGS" => args.Length > 0 ? args : null,
            IpamLoading.AdminFlatFileVariable => flatFile,
            "NODENAME" => nodeName,
            _ => null,
        };

    static string Conf(string ipam) => """{"cniVersion":"1.1.0","name":"net-a","type":"macvlan","ipam":{"type":"whereabouts",""" + ipam + "}}";

    static string Flat(int n) => """{"range":"10.""" + n + """.0.0/24","datastore":"file","file":{"dir":"/var/lib/cni/whereabouts"}}""";

    [Fact]
    public void TheFirstStandardFlatFileThatExistsIsTheOneUsedAndNoneAfterItIsRead() =>
        Gen.Bool.Array[Standard.Length].Sample(exists =>
        {
            var files = Standard.Select((p, i) => (p, i)).Where(x => exists[x.i]).ToDictionary(x => x.p, x => Flat(x.i + 1));
            var gathering = new Gathering(files, Env("ADD"));
            var resolved = gathering.Run(Conf("\"datastore\":\"file\",\"file\":{\"dir\":\"/var/lib/cni/whereabouts\"}"), RequestResolver.Resolve);
            var first = Array.IndexOf(exists, true);
            // The model: the candidates in order, up to the first that exists (all of them when none does).
            Assert.Equal(Standard.Take(first < 0 ? Standard.Length : first + 1), gathering.FilesAsked);
            if (first < 0) Assert.True(resolved.IsFail, "no range anywhere is a configuration error");
            else Assert.Equal($"10.{first + 1}.0.0/24", resolved.ThrowIfFail().Ipam.Ranges[0].Configured.ToString());
        });

    [Fact]
    public void TheAdminsNamedFlatFileIsTheOnlyOneRead()
    {
        var gathering = new Gathering(new Dictionary<string, string> { ["/srv/wb.conf"] = Flat(7), [Standard[0]] = Flat(1) }, Env("ADD", flatFile: "/srv/wb.conf"));
        var resolved = gathering.Run(Conf("\"datastore\":\"file\""), RequestResolver.Resolve).ThrowIfFail();
        Assert.Equal(["/srv/wb.conf"], gathering.FilesAsked.ToArray());
        Assert.Equal("10.7.0.0/24", resolved.Ipam.Ranges[0].Configured.ToString());
    }

    [Fact]
    public void TheNodeNameComesFromNodenameThenANodenameFileThenEtcHostname()
    {
        string? Name(Func<string, string?> env, Dictionary<string, string> files, string configurationPath) =>
            new Gathering(files, env).Run("", raw => NodeNames.Of(raw, configurationPath)).ThrowIfFail().IfNoneUnsafe((string?)null);
        Assert.Equal("env-node", Name(k => k == "NODENAME" ? "env-node" : null, new() { ["/etc/hostname"] = "host\n" }, ""));
        Assert.Equal("beside", Name(_ => null, new() { ["/opt/wb/nodename"] = "beside\n", ["/etc/hostname"] = "host\n" }, "/opt/wb/whereabouts.conf"));
        Assert.Equal("installed", Name(_ => null, new() { ["/host/etc/cni/net.d/whereabouts.d/nodename"] = "installed", ["/etc/hostname"] = "host\n" }, ""));
        Assert.Equal("host", Name(_ => null, new() { ["/etc/hostname"] = "host\n" }, ""));
        Assert.Null(Name(_ => null, [], ""));
    }

    const string Sliced = "\"range\":\"10.0.0.0/16\",\"node_slice_size\":\"/24\",\"kubernetes\":{\"kubeconfig\":\"/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig\"}";

    [Fact]
    public void AddAsksForThisNodesSliceAfterThePathChecksAndAllocatesFromIt()
    {
        var gathering = new Gathering(new Dictionary<string, string>(), Env("ADD", nodeName: "worker-1")) { Slice = Cidr.Parse("10.0.3.0/24").ThrowIfFail() };
        var request = gathering.Run(Conf(Sliced), RequestResolver.Resolve).ThrowIfFail();
        var asks = gathering.Asked.Where(a => a is not Wanted.File).ToArray();
        Assert.IsType<Wanted.PathChecks>(asks[0]);
        var slice = Assert.IsType<Wanted.Slice>(asks[1]);
        Assert.Equal(("net-a", "worker-1"), (slice.Pool, slice.Node));
        Assert.Equal("10.0.3.0/24", request.Ipam.Ranges[0].Slice.Map(s => s.Range.ToString()).IfNone(""));
    }

    [Theory]
    [InlineData("ADD", false)]
    [InlineData("CHECK", false)]
    [InlineData("DEL", true)]
    [InlineData("GC", true)]
    public void WithoutItsSliceOnlyTeardownGoesOnWithTheWholeRange(string verb, bool goesOn)
    {
        var gathering = new Gathering(new Dictionary<string, string>(), Env(verb, nodeName: "worker-1")) { Slice = Errors.TryAgainLater("no allocated node slice for node worker-1") };
        var stdin = Conf(Sliced).Replace("\"ipam\"", "\"prevResult\":{\"ips\":[]},\"cni.dev/valid-attachments\":[],\"ipam\"");
        var resolved = gathering.Run(stdin, RequestResolver.Resolve);
        Assert.True(goesOn == resolved.IsSucc, resolved.Match(_ => "resolved", e => e.Message));
        if (goesOn) Assert.True(resolved.ThrowIfFail().Ipam.Ranges[0].Slice.IsNone);
        else Assert.Equal(Errors.TryAgainLaterCode, resolved.Match(_ => 0, e => e.Code));
    }

    [Fact]
    public void AddParsesRuntimeAndArgsAddressesOnceAndDelIgnoresTheArgs()
    {
        var conf = Conf("\"range\":\"10.9.0.0/24\",\"datastore\":\"file\"").Replace("\"ipam\"", "\"runtimeConfig\":{\"ips\":[\"10.9.0.4/24\"]},\"ipam\"");
        var add = new Gathering(new Dictionary<string, string>(), Env("ADD", "IP=10.9.0.5,10.9.0.6/24;GATEWAY=10.9.0.254")).Run(conf, RequestResolver.Resolve).ThrowIfFail();
        Assert.Equal(["10.9.0.4", "10.9.0.5", "10.9.0.6"], add.Requested.Select(a => a.ToString()));
        Assert.Equal("10.9.0.254", add.Ipam.Gateway.Map(g => g.ToString()).IfNone(""));
        var del = new Gathering(new Dictionary<string, string>(), Env("DEL", "IP=zzz")).Run(conf, RequestResolver.Resolve);
        Assert.True(del.IsSucc, "DEL does not read IP=");
    }

    [Fact]
    public void AnEnvironmentErrorIsFoundBeforeAnyFileIsRead()
    {
        var gathering = new Gathering(new Dictionary<string, string>(), name => name == "CNI_COMMAND" ? "ADD" : null);
        var resolved = gathering.Run(Conf("\"range\":\"10.9.0.0/24\""), RequestResolver.Resolve);
        Assert.Equal(Errors.InvalidEnvironmentCode, resolved.Match(_ => 0, e => e.Code));
        Assert.Empty(gathering.Asked);
    }
}
