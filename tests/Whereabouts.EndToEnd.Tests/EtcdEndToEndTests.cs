using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text.Json.Nodes;
using Whereabouts.Testing.Etcd;
using Xunit;
using Xunit.Abstractions;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>What the plugin wrote to etcd, read back through the JSON gateway as an operator would.</summary>
static class EtcdStored
{
    public const string Pools = "/whereabouts/ippools/";
    public const string Reservations = "/whereabouts/overlappingrangeipreservations/";

    public static string Ipam(string endpoint, string range = "192.168.2.225/28", string more = "") =>
        $$"""{"type":"whereabouts","range":"{{range}}","datastore":"etcd","etcd_host":"{{endpoint}}"{{more}}}""";

    public static async Task<List<StoredPools.Entry>> Allocations(EtcdServer server, string poolName)
    {
        var value = await server.Get(Pools + poolName);
        if (value is null) return [];
        var allocations = JsonNode.Parse(value)!["allocations"]!.AsObject();
        return allocations.Select(kv => new StoredPools.Entry(BigInteger.Parse(kv.Key), (string)kv.Value!["id"]!, (string)kv.Value!["podref"]!,
            (string?)kv.Value!["ifname"] ?? "")).ToList();
    }

    /// <summary>Reservation name → podref.</summary>
    public static async Task<Dictionary<string, string>> ReservationPods(EtcdServer server) =>
        (await server.List(Reservations)).ToDictionary(kv => kv.Key[Reservations.Length..], kv => (string)JsonNode.Parse(kv.Value)!["podref"]!);

    public static string AddressOf(string stdout) => JsonNode.Parse(stdout)!["ips"]![0]!["address"]!.GetValue<string>();

    public static int CodeOf(string stdout) => JsonNode.Parse(stdout)!["code"]!.GetValue<int>();

    public static string MsgOf(string stdout) => JsonNode.Parse(stdout)!["msg"]!.GetValue<string>();
}

/// <summary>ADD, CHECK, STATUS and DEL through the published binary with "datastore": "etcd".</summary>
public sealed class EtcdBinaryVerbTests : IAsyncLifetime
{
    EtcdServer etcd = null!;

    public async Task InitializeAsync() => etcd = await EtcdServer.Start();

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    [Fact]
    public async Task AddCheckStatusDelRoundTripThroughEtcd()
    {
        var ipam = EtcdStored.Ipam(etcd.Endpoint);
        var conf = Conf("1.1.0", ipam);
        var add = await Run("ADD", conf, "cid-1", pod: "default/pod-1");
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Equal("192.168.2.225/28", EtcdStored.AddressOf(add.Stdout));
        Assert.Equal([("cid-1", "default/pod-1", "net1")],
            (await EtcdStored.Allocations(etcd, "192.168.2.224-28")).Select(a => (a.ContainerId, a.PodRef, a.IfName)));
        Assert.Equal(new Dictionary<string, string> { ["192.168.2.225"] = "default/pod-1" }, await EtcdStored.ReservationPods(etcd));

        // ADD is idempotent per pod interface; a second pod gets the next address.
        Assert.Equal("192.168.2.225/28", EtcdStored.AddressOf((await Run("ADD", conf, "cid-1", pod: "default/pod-1")).Stdout));
        Assert.Equal("192.168.2.226/28", EtcdStored.AddressOf((await Run("ADD", conf, "cid-2", pod: "default/pod-2")).Stdout));

        var withPrev = $$"""{"cniVersion":"1.1.0","name":"e2e","type":"macvlan","ipam":{{ipam}},"prevResult":{{add.Stdout}}}""";
        var check = await Run("CHECK", withPrev, "cid-1", pod: "default/pod-1");
        Assert.True(check.ExitCode == 0, check.Stdout);
        var status = await Run("STATUS", conf);
        Assert.Equal((0, ""), (status.ExitCode, status.Stdout));

        var del1 = await Run("DEL", conf, "cid-1", pod: "default/pod-1");
        Assert.Equal((0, ""), (del1.ExitCode, del1.Stdout));
        var del2 = await Run("DEL", conf, "cid-2", pod: "default/pod-2");
        Assert.Equal((0, ""), (del2.ExitCode, del2.Stdout));
        Assert.Empty(await EtcdStored.Allocations(etcd, "192.168.2.224-28"));
        Assert.Empty(await EtcdStored.ReservationPods(etcd));
        // DEL of something already gone succeeds.
        Assert.Equal(0, (await Run("DEL", conf, "cid-1", pod: "default/pod-1")).ExitCode);
    }
}

/// <summary>Username/password and mutual TLS through the binary: working settings work, wrong ones fail fast and clearly.</summary>
public sealed class EtcdCredentialTests
{
    const int DeadlineMs = 3000;
    static readonly Dictionary<string, string> ShortDeadline = new() { ["WHEREABOUTS_RETRY_DEADLINE_MS"] = DeadlineMs.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    static async Task<(PluginBinary.Result Result, TimeSpan Took)> Timed(string command, string conf)
    {
        var watch = Stopwatch.StartNew();
        var result = await Run(command, conf, env: ShortDeadline);
        return (result, watch.Elapsed);
    }

    static void WithinDeadline(TimeSpan took) =>
        Assert.True(took < TimeSpan.FromMilliseconds(DeadlineMs + 2000), $"took {took.TotalMilliseconds:0} ms, deadline {DeadlineMs} ms");

    [Fact]
    public async Task PasswordAuthWorksAndAWrongPasswordIsCode50NamingTheSettings()
    {
        await using var etcd = await EtcdServer.Start();
        await etcd.EnableAuth("whereabouts", "s3cret");
        var good = Conf("1.0.0", EtcdStored.Ipam(etcd.Endpoint, more: ""","etcd_username":"whereabouts","etcd_password":"s3cret" """));
        var add = await Run("ADD", good);
        Assert.True(add.ExitCode == 0, add.Stdout);
        Assert.Single(await EtcdStored.Allocations(etcd, "192.168.2.224-28"));

        var bad = Conf("1.0.0", EtcdStored.Ipam(etcd.Endpoint, more: ""","etcd_username":"whereabouts","etcd_password":"wrong" """));
        var (result, took) = await Timed("ADD", bad);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(50, EtcdStored.CodeOf(result.Stdout));
        Assert.Contains("etcd_password", EtcdStored.MsgOf(result.Stdout));
        WithinDeadline(took);
        Assert.Equal(50, EtcdStored.CodeOf((await Timed("STATUS", Conf("1.1.0", EtcdStored.Ipam(etcd.Endpoint, more: ""","etcd_username":"whereabouts","etcd_password":"wrong" """)))).Result.Stdout));
    }

    [Fact]
    public async Task MutualTlsWorksAndAWrongCaIsCode50NamingTheSetting()
    {
        await using var etcd = await EtcdServer.Start(tls: true);
        var pki = etcd.Pki!;
        string Tls(string ca) =>
            $$""","etcd_cert_file":"{{pki.ClientCertFile}}","etcd_key_file":"{{pki.ClientKeyFile}}","etcd_ca_cert_file":"{{ca}}" """;
        var add = await Run("ADD", Conf("1.0.0", EtcdStored.Ipam(etcd.Endpoint, more: Tls(pki.CaFile))));
        Assert.True(add.ExitCode == 0, add.Stdout);
        Assert.Equal("192.168.2.225/28", EtcdStored.AddressOf(add.Stdout));
        Assert.Single(await EtcdStored.Allocations(etcd, "192.168.2.224-28"));

        var (result, took) = await Timed("ADD", Conf("1.0.0", EtcdStored.Ipam(etcd.Endpoint, more: Tls(pki.OtherCaFile))));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(50, EtcdStored.CodeOf(result.Stdout));
        Assert.Contains("etcd_ca_cert_file", EtcdStored.MsgOf(result.Stdout));
        WithinDeadline(took);
    }

    [Fact]
    public async Task AnUnreachableEndpointIsCode11WithinTheDeadline()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var (result, took) = await Timed("ADD", Conf("1.0.0", EtcdStored.Ipam($"127.0.0.1:{port}")));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(11, EtcdStored.CodeOf(result.Stdout));
        Assert.Contains($"cannot connect to etcd at http://127.0.0.1:{port}", EtcdStored.MsgOf(result.Stdout));
        Assert.True(took >= TimeSpan.FromMilliseconds(DeadlineMs / 2), $"gave up after only {took.TotalMilliseconds:0} ms");
        WithinDeadline(took);
        var (status, statusTook) = await Timed("STATUS", Conf("1.1.0", EtcdStored.Ipam($"127.0.0.1:{port}")));
        Assert.Equal(50, EtcdStored.CodeOf(status.Stdout));
        WithinDeadline(statusTook);
    }
}

/// <summary>etcd is killed and comes back (same data) in the middle of 200 ADDs from 20 concurrent loops.</summary>
public sealed class EtcdFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    EtcdServer etcd = null!;

    public async Task InitializeAsync() => etcd = await EtcdServer.Start();

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    [Fact]
    public async Task AnOutageMidRunLosesNoReportedAddressAndHandsNoneOutTwice()
    {
        var conf = Conf("0.3.1", EtcdStored.Ipam(etcd.Endpoint, "10.60.0.0/22"));
        // Shorter than the outage, so the ADDs caught in it give up while etcd is down.
        var env = new Dictionary<string, string> { ["WHEREABOUTS_RETRY_DEADLINE_MS"] = "2000" };
        var results = new ConcurrentBag<(string Pod, PluginBinary.Result Result)>();
        var finished = 0;
        var loops = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            for (var j = 0; j < 10; j++)
            {
                var pod = $"default/pod-{i}-{j}";
                results.Add((pod, await Run("ADD", conf, $"cid-{i}-{j}", pod: pod, env: env)));
                Interlocked.Increment(ref finished);
            }
        })).ToArray();
        var all = Task.WhenAll(loops);

        while (Volatile.Read(ref finished) < 40 && !all.IsCompleted) await Task.Delay(5);
        var stoppedAt = Volatile.Read(ref finished);
        // SIGKILL, not an orderly stop: etcd must already have made durable every write it acknowledged.
        await etcd.Kill();
        await Task.Delay(3000);
        await etcd.Resume();
        var resumedAt = Volatile.Read(ref finished);
        await all;

        var succeeded = results.Where(r => r.Result.ExitCode == 0).ToList();
        var failed = results.Where(r => r.Result.ExitCode != 0).ToList();
        output.WriteLine($"killed after {stoppedAt} ADDs, resumed after {resumedAt}; {succeeded.Count} succeeded, {failed.Count} failed; " +
            $"failure codes: {string.Join(", ", failed.GroupBy(f => EtcdStored.CodeOf(f.Result.Stdout)).Select(g => $"{g.Key}×{g.Count()}"))}");
        Assert.Equal(200, results.Count);
        Assert.NotEmpty(succeeded);
        Assert.NotEmpty(failed);
        // Every failure is CNI error JSON: retries exhausted (11) while etcd was away.
        Assert.All(failed, f => Assert.Equal(11, EtcdStored.CodeOf(f.Result.Stdout)));

        var printed = succeeded.Select(s => (s.Pod, Address: EtcdStored.AddressOf(s.Result.Stdout).Split('/')[0])).ToList();
        Assert.Equal(printed.Count, printed.Select(p => p.Address).Distinct().Count());
        var stored = await EtcdStored.Allocations(etcd, "10.60.0.0-22");
        static string AddressAt(BigInteger offset) => $"10.60.{(int)(offset / 256)}.{(int)(offset % 256)}";
        var byAddress = stored.ToDictionary(a => AddressAt(a.Offset), a => a.PodRef);
        // Every address reported to a runtime is persisted and owned by the pod it was reported to.
        Assert.All(printed, p => Assert.Equal(p.Pod, byAddress.GetValueOrDefault(p.Address)));
        // No address is held by two pods: a reservation never names another pod than the pool's allocation.
        var reservations = await EtcdStored.ReservationPods(etcd);
        Assert.All(reservations.Where(r => byAddress.ContainsKey(r.Key)), r => Assert.Equal(byAddress[r.Key], r.Value));
        output.WriteLine($"pool holds {stored.Count} allocations, {reservations.Count} reservations " +
            $"({reservations.Keys.Count(k => !byAddress.ContainsKey(k))} without an allocation, {byAddress.Keys.Count(k => !reservations.ContainsKey(k))} allocations without one)");

        // And the store works afterwards.
        var after = await Run("ADD", conf, "cid-after", pod: "default/after");
        Assert.True(after.ExitCode == 0, after.Stdout);
        Assert.DoesNotContain(EtcdStored.AddressOf(after.Stdout).Split('/')[0], printed.Select(p => p.Address));
    }
}

/// <summary>scripts/e2e-netns.sh with "datastore": "etcd": two pods through Debian's macvlan, ping, DEL.</summary>
public sealed class EtcdNamespaceEndToEndTests : IAsyncLifetime
{
    EtcdServer etcd = null!;

    public async Task InitializeAsync() => etcd = await EtcdServer.Start();

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    [Fact]
    public async Task TwoPodsThroughMacvlanOnEtcd()
    {
        var (code, summary, log) = await NamespaceEndToEndTests.RunScript("macvlan", EtcdStored.Ipam(etcd.Endpoint));
        Assert.True(code == 0, $"e2e-netns.sh macvlan exited {code}:\n{log}");
        Assert.Equal("192.168.2.225/28", summary["pod1"]);
        Assert.Equal("192.168.2.226/28", summary["pod2"]);
        Assert.Equal("ok", summary["ping"]);
        Assert.Equal("ok", summary["del"]);
        Assert.Empty(await EtcdStored.Allocations(etcd, "192.168.2.224-28"));
        Assert.Empty(await EtcdStored.ReservationPods(etcd));
    }
}
