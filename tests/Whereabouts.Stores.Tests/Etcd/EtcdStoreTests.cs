using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.Etcd;
using Xunit;

namespace Whereabouts.Stores.Tests.Etcd;

static class Fixtures
{
    public static readonly Cidr Range = Cidr.Parse("10.20.0.0/24").IfFail(default(Cidr));
    public static readonly PoolKey Key = PoolKey.For(Range, "contract");
    public static readonly Owner PodA = new("cid-a", "default/pod-a", "net1");

    public static DatastoreSettings.Etcd Settings(params string[] endpoints) => new([.. endpoints], "", "", "", "", "");

    public static EtcdPoolStore Open(DatastoreSettings.Etcd settings, TimeSpan? timeout = null) => new(EtcdOptions.From(settings, timeout));

    /// <summary>A loopback port nothing listens on.</summary>
    public static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public static async Task<(StoreUnavailableException Error, TimeSpan Took)> Failure(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(action);
        return (e, watch.Elapsed);
    }
}

/// <summary>Endpoint syntax: what etcd_host accepts and how it is read.</summary>
public sealed class EtcdOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:2379", false, "http://127.0.0.1:2379/v3/")]
    [InlineData("127.0.0.1:2379", true, "https://127.0.0.1:2379/v3/")]
    [InlineData("etcd.kube-system.svc", false, "http://etcd.kube-system.svc:2379/v3/")]
    [InlineData("http://10.0.0.1:4001", true, "http://10.0.0.1:4001/v3/")]
    [InlineData("https://10.0.0.1:2379/", false, "https://10.0.0.1:2379/v3/")]
    [InlineData("https://10.0.0.1", false, "https://10.0.0.1:2379/v3/")]
    [InlineData("https://10.0.0.1:443", false, "https://10.0.0.1/v3/")]
    [InlineData("[fd00::1]:2379", false, "http://[fd00::1]:2379/v3/")]
    [InlineData(" 127.0.0.1:2379 ", false, "http://127.0.0.1:2379/v3/")]
    public void EndpointsAreReadLikeEtcdsGoClient(string text, bool tls, string expected) =>
        Assert.Equal(expected, EtcdOptions.ParseEndpoint(text, tls).ToString());

    [Theory]
    [InlineData("ftp://10.0.0.1:2379")]
    [InlineData("http://10.0.0.1:2379/some/path")]
    [InlineData("http://user:pw@10.0.0.1:2379")]
    [InlineData("10.0.0.1:notaport")]
    public void BadEndpointsArePermanentErrorsNamingEtcdHost(string text)
    {
        var e = Assert.Throws<StoreUnavailableException>(() => EtcdOptions.ParseEndpoint(text, false));
        Assert.False(e.Transient);
        Assert.Contains("etcd_host", e.Message);
    }

    [Fact]
    public void CommaSeparatedHostsBecomeEndpointsInOrder()
    {
        var settings = new DatastoreSettings.Etcd(["10.0.0.1:2379", "https://10.0.0.2:2379"], "", "", "", "", "");
        Assert.Equal(["http://10.0.0.1:2379/v3/", "https://10.0.0.2:2379/v3/"], EtcdOptions.From(settings).Endpoints.Select(u => u.ToString()));
    }

    [Theory]
    [InlineData("/c.pem", "/k.pem", "/ca.pem", "https://10.0.0.1:2379/v3/")]
    [InlineData("/c.pem", "/k.pem", "", "https://10.0.0.1:2379/v3/")]
    [InlineData("", "", "/ca.pem", "http://10.0.0.1:2379/v3/")]
    [InlineData("", "", "", "http://10.0.0.1:2379/v3/")]
    public void ASchemelessEndpointSpeaksTlsWhenAClientCertificateIsSetAsUpstream(string cert, string key, string ca, string expected) =>
        Assert.Equal(expected, EtcdOptions.From(new DatastoreSettings.Etcd(["10.0.0.1:2379"], "", "", key, cert, ca)).Endpoints[0].ToString());

    [Fact]
    public void CredentialsAreUsedOnlyWhenBothAreSetAsUpstream()
    {
        var userOnly = EtcdOptions.From(new DatastoreSettings.Etcd(["10.0.0.1:2379"], "u", "", "", "", ""));
        Assert.Equal(("", ""), (userOnly.Username, userOnly.Password));
        var both = EtcdOptions.From(new DatastoreSettings.Etcd(["10.0.0.1:2379"], "u", "p", "", "", ""));
        Assert.Equal(("u", "p"), (both.Username, both.Password));
    }

    [Fact]
    public void TimeoutsNeverExceedTheRetryDeadline()
    {
        var options = EtcdOptions.From(Fixtures.Settings("10.0.0.1:2379"));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)), (options.RequestTimeout, options.AuthenticateTimeout));
        var within = options.Within(TimeSpan.FromSeconds(3));
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)), (within.RequestTimeout, within.AuthenticateTimeout));
        Assert.Equal(options, options.Within(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void ACertificateWithoutItsKeyIsAPermanentError()
    {
        var settings = new DatastoreSettings.Etcd(["10.0.0.1:2379"], "", "", "", "/etc/cert.pem", "");
        var e = Assert.Throws<StoreUnavailableException>(() => EtcdOptions.From(settings));
        Assert.False(e.Transient);
        Assert.Contains("etcd_key_file", e.Message);
    }
}

/// <summary>Key layout, value shapes and failure classification against a plain etcd.</summary>
public sealed class EtcdStoreTests(PlainEtcdFixture etcd) : IClassFixture<PlainEtcdFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => etcd.Server.DeletePrefix(EtcdPoolStore.Root);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PoolsAndReservationsAreCrdSpecsUnderTheDocumentedKeys()
    {
        await using var store = etcd.Open();
        var state = PoolState.Of(Fixtures.Range, [new Allocation(5, Fixtures.PodA)]);
        await store.Apply(new StoreOp.CreatePool(Fixtures.Key, state), default);
        await store.Apply(new StoreOp.CreateReservation(ReservationKey.For(Fixtures.Range.AddressAt(5), "contract"), Fixtures.PodA), default);

        var pool = JsonNode.Parse((await etcd.Server.Get("/whereabouts/ippools/contract-10.20.0.0-24"))!)!;
        Assert.Equal("10.20.0.0/24", pool["range"]!.GetValue<string>());
        Assert.Equal("""{"id":"cid-a","podref":"default/pod-a","ifname":"net1"}""", pool["allocations"]!["5"]!.ToJsonString());
        Assert.Equal("""{"containerid":"cid-a","podref":"default/pod-a","ifname":"net1"}""",
            await etcd.Server.Get("/whereabouts/overlappingrangeipreservations/contract-10.20.0.5"));
        Assert.Equal(["/whereabouts/ippools/contract-10.20.0.0-24", "/whereabouts/overlappingrangeipreservations/contract-10.20.0.5"],
            (await etcd.Server.List("/whereabouts/")).Select(kv => kv.Key));
    }

    [Fact]
    public async Task APoolWrittenByUpstreamIsRead()
    {
        // Upstream wrote offsets as signed 64-bit numbers and old entries without ifname.
        await etcd.Server.Put("/whereabouts/ippools/contract-10.20.0.0-24",
            """{"range":"10.20.0.0/24","allocations":{"3":{"id":"c3","podref":"ns/p3"},"4":{"id":"c4","podref":"ns/p4","ifname":"eth1"}}}""");
        await using var store = etcd.Open();
        var snapshot = await store.LoadPool(Fixtures.Key, default);
        Assert.True(snapshot.Exists);
        Assert.Equal([(UInt128)3, 4], snapshot.State.Allocations.Select(a => a.Offset));
        Assert.Equal(["", "eth1"], snapshot.State.Allocations.Select(a => a.Owner.IfName));
        Assert.Matches("^[0-9]+$", snapshot.Version.Map(v => v.Value).IfNone(""));
    }

    [Fact]
    public async Task ACorruptPoolIsAPermanentErrorNamingTheKeyAndIsNeverOverwritten()
    {
        await etcd.Server.Put("/whereabouts/ippools/contract-10.20.0.0-24", "{\"range\": ");
        await using var store = etcd.Open();
        var (e, _) = await Fixtures.Failure(() => store.LoadPool(Fixtures.Key, default));
        Assert.False(e.Transient);
        Assert.Contains("/whereabouts/ippools/contract-10.20.0.0-24", e.Message);
        Assert.Equal(ApplyResult.Conflict, await store.Apply(new StoreOp.CreatePool(Fixtures.Key, PoolState.Of(Fixtures.Range, [])), default));
        Assert.Equal("{\"range\": ", await etcd.Server.Get("/whereabouts/ippools/contract-10.20.0.0-24"));
    }

    [Fact]
    public async Task AReservationDeleteLeavesAReservationThatChangedHandsAlone()
    {
        var key = ReservationKey.For(Fixtures.Range.AddressAt(9), "contract");
        await using var store = etcd.Open();
        await store.Apply(new StoreOp.CreateReservation(key, Fixtures.PodA), default);
        // Another pod took the address over between our read and our delete: the value guard must catch it.
        await etcd.Server.Put("/whereabouts/overlappingrangeipreservations/contract-10.20.0.9", """{"containerid":"x","podref":"default/other","ifname":"net1"}""");
        Assert.Equal(ApplyResult.Conflict, await store.Apply(new StoreOp.DeleteReservation(key, Fixtures.PodA), default));
        Assert.Contains("default/other", await etcd.Server.Get("/whereabouts/overlappingrangeipreservations/contract-10.20.0.9"));
    }

    [Fact]
    public async Task AReservationWrittenByUpstreamIsDeletedByItsPod()
    {
        // Upstream writes no container ID (old versions no interface either): the bytes differ, the owner matches.
        var key = ReservationKey.For(Fixtures.Range.AddressAt(7), "contract");
        await etcd.Server.Put("/whereabouts/overlappingrangeipreservations/contract-10.20.0.7", """{"podref":"default/pod-a"}""");
        await using var store = etcd.Open();
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.DeleteReservation(key, Fixtures.PodA), default));
        Assert.Null(await etcd.Server.Get("/whereabouts/overlappingrangeipreservations/contract-10.20.0.7"));
    }

    [Fact]
    public async Task PingAnswersWhenEtcdDoes()
    {
        await using var store = etcd.Open();
        await store.Ping(default);
    }

    [Fact]
    public async Task ARefusedConnectionIsTransientAndFast()
    {
        await using var store = Fixtures.Open(Fixtures.Settings($"127.0.0.1:{Fixtures.ClosedPort()}"));
        var (e, took) = await Fixtures.Failure(() => store.LoadPool(Fixtures.Key, default));
        Assert.True(e.Transient, e.Message);
        Assert.Contains("cannot connect to etcd", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(2), $"took {took}");
    }

    [Fact]
    public async Task ARefusingEndpointFallsThroughToTheNextOne()
    {
        await using var store = Fixtures.Open(Fixtures.Settings($"127.0.0.1:{Fixtures.ClosedPort()}", etcd.Server.Endpoint));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreatePool(Fixtures.Key, PoolState.Of(Fixtures.Range, [])), default));
        Assert.True((await store.LoadPool(Fixtures.Key, default)).Exists);
    }

    [Fact]
    public async Task AnEndpointThatNeverAnswersTimesOutAsTransient()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var store = Fixtures.Open(Fixtures.Settings($"127.0.0.1:{port}"), TimeSpan.FromMilliseconds(300));
        var (e, took) = await Fixtures.Failure(() => store.LoadPool(Fixtures.Key, default));
        Assert.True(e.Transient, e.Message);
        Assert.Contains("did not answer", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(3), $"took {took}");
    }

    [Theory]
    [InlineData(503, """{"error":"etcdserver: request timed out","message":"etcdserver: request timed out","code":14}""", true, "request timed out")]
    [InlineData(500, "upstream proxy error", true, "HTTP 500")]
    [InlineData(429, """{"error":"etcdserver: too many requests","message":"etcdserver: too many requests","code":8}""", true, "too many requests")]
    [InlineData(404, "404 page not found", false, "etcd 3.4 or later")]
    [InlineData(200, "<html>not etcd</html>", false, "not etcd's JSON")]
    [InlineData(400, """{"error":"etcdserver: too many operations in txn request","message":"etcdserver: too many operations in txn request","code":3}""", false, "too many operations")]
    public async Task HttpAnswersAreClassified(int status, string body, bool transient, string mentions)
    {
        await using var server = await CannedHttpServer.Start(status, body);
        await using var store = Fixtures.Open(Fixtures.Settings($"127.0.0.1:{server.Port}"));
        var (e, _) = await Fixtures.Failure(() => store.LoadPool(Fixtures.Key, default));
        Assert.Equal(transient, e.Transient);
        Assert.Contains(mentions, e.Message);
    }
}

/// <summary>Username/password: wrong or missing credentials and missing permissions are permanent, with the setting to fix.</summary>
public sealed class EtcdAuthTests(AuthEtcdFixture etcd) : IClassFixture<AuthEtcdFixture>
{
    DatastoreSettings.Etcd As(string user, string password) => etcd.Settings with { Username = user, Password = password };

    [Fact]
    public async Task AWrongPasswordIsPermanentAndNamesTheSettings()
    {
        await using var store = Fixtures.Open(As(AuthEtcdFixture.User, "wrong"));
        var (e, _) = await Fixtures.Failure(() => store.LoadPool(Fixtures.Key, default));
        Assert.False(e.Transient);
        Assert.Contains("etcd_password", e.Message);
        Assert.Contains(AuthEtcdFixture.User, e.Message);
    }

    [Fact]
    public async Task MissingCredentialsArePermanentAndSaySoWhenAuthIsOn()
    {
        await using var store = Fixtures.Open(As("", ""));
        var (e, _) = await Fixtures.Failure(() => store.Ping(default));
        Assert.False(e.Transient);
        Assert.Contains("set etcd_username and etcd_password", e.Message);
    }

    [Fact]
    public async Task AUserWithoutPermissionOnThePrefixIsPermanentAndToldWhatToGrant()
    {
        await using var store = Fixtures.Open(As("nobody", "nobody-pw"));
        var (e, _) = await Fixtures.Failure(() => store.Apply(new StoreOp.CreatePool(Fixtures.Key, PoolState.Of(Fixtures.Range, [])), default));
        Assert.False(e.Transient);
        Assert.Contains("permission denied", e.Message);
        Assert.Contains("readwrite", e.Message);
        Assert.Contains("/whereabouts/", e.Message);
    }

    [Fact]
    public async Task ATokenForgottenByARestartIsRenewed()
    {
        await using var store = etcd.Open();
        await store.Ping(default);
        await etcd.Server.Restart();
        await store.Ping(default);
        await store.LoadPool(Fixtures.Key, default);
    }
}

/// <summary>Mutual TLS: certificate problems are permanent and name the files to check.</summary>
public sealed class EtcdTlsTests(TlsEtcdFixture etcd) : IClassFixture<TlsEtcdFixture>
{
    [Fact]
    public async Task AWrongCaIsPermanentAndNamesTheSetting()
    {
        await using var store = Fixtures.Open(etcd.Settings with { CaCertFile = etcd.Server.Pki!.OtherCaFile });
        var (e, took) = await Fixtures.Failure(() => store.LoadPool(Fixtures.Key, default));
        Assert.False(e.Transient);
        Assert.Contains("etcd_ca_cert_file", e.Message);
        Assert.True(took < TimeSpan.FromSeconds(3), $"took {took}");
    }

    [Fact]
    public async Task NoClientCertificateIsPermanent()
    {
        await using var store = Fixtures.Open(etcd.Settings with { CertFile = "", KeyFile = "" });
        var (e, _) = await Fixtures.Failure(() => store.LoadPool(Fixtures.Key, default));
        Assert.False(e.Transient, e.Message);
        Assert.Contains("etcd_cert_file", e.Message);
    }

    [Fact]
    public async Task PlainHttpToATlsPortHintsAtHttps()
    {
        // etcd just closes the connection, which looks like etcd going down mid-request: transient, with a hint.
        await using var store = Fixtures.Open(Fixtures.Settings(etcd.Server.Endpoint.Replace("https://", "http://")));
        var (e, _) = await Fixtures.Failure(() => store.LoadPool(Fixtures.Key, default));
        Assert.Contains("write https:// in etcd_host", e.Message);
    }

    [Fact]
    public void AnUnreadableCertificateFileIsPermanentWhenTheStoreOpens()
    {
        var e = Assert.Throws<StoreUnavailableException>(() => Fixtures.Open(etcd.Settings with { CertFile = "/nonexistent/client.pem" }));
        Assert.False(e.Transient);
        Assert.Contains("etcd_cert_file", e.Message);
    }
}

/// <summary>Answers every HTTP request with one canned status and body, to pin how the client reads them.</summary>
sealed class CannedHttpServer : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    Task loop = Task.CompletedTask;

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public static Task<CannedHttpServer> Start(int status, string body)
    {
        var server = new CannedHttpServer();
        server.listener.Start();
        server.loop = server.Serve(status, body);
        return Task.FromResult(server);
    }

    async Task Serve(int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (OperationCanceledException) { return; }
            using (client)
            {
                var stream = client.GetStream();
                var buffer = new byte[8192];
                var seen = new StringBuilder();
                // Read the request head and its body (Content-Length), then answer and close.
                while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer, stop.Token);
                    if (n == 0) break;
                    seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                var text = seen.ToString();
                var length = text.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                var have = text.Length - text.IndexOf("\r\n\r\n", StringComparison.Ordinal) - 4;
                while (have < length)
                {
                    var n = await stream.ReadAsync(buffer, stop.Token);
                    if (n == 0) break;
                    have += n;
                }
                await stream.WriteAsync(head, stop.Token);
                await stream.WriteAsync(bytes, stop.Token);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try { await loop; } catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException) { }
        stop.Dispose();
    }
}
