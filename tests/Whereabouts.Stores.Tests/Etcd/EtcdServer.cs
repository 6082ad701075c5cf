using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Whereabouts.Testing.Etcd;

/// <summary>
/// A real single-member etcd (Debian's etcd-server, 3.4) for one test class: free loopback ports, a temporary
/// data directory, stopped and removed on dispose. It can be stopped and restarted on the same ports and data
/// (fault tests), get username/password auth (JSON API: root user, a role with readwrite on /whereabouts/,
/// auth enable) or serve mutual TLS with certificates from <see cref="EtcdTestPki"/>. Admin reads and writes
/// for assertions go through the same JSON gateway, as root when auth is on.
/// </summary>
/// <remarks>The same file is in tests/Whereabouts.Stores.Tests/Etcd and tests/Whereabouts.EndToEnd.Tests: keep them identical.</remarks>
public sealed class EtcdServer : IAsyncDisposable
{
    const string RootPassword = "root-secret";

    readonly string dir;
    readonly int clientPort;
    readonly int peerPort;
    readonly HttpClient admin;
    Process? process;
    string? rootToken;
    bool authEnabled;
    int? maxRequestBytes;

    public EtcdTestPki? Pki { get; }

    /// <summary>Base URL of the client port, e.g. http://127.0.0.1:40123.</summary>
    public string ClientUrl => $"{(Pki is null ? "http" : "https")}://127.0.0.1:{clientPort}";

    /// <summary>The endpoint as written in etcd_host: host:port, or https://host:port for TLS.</summary>
    public string Endpoint => Pki is null ? $"127.0.0.1:{clientPort}" : ClientUrl;

    public string LogFile => Path.Combine(dir, "etcd.log");

    public bool IsRunning => process is { HasExited: false };

    EtcdServer(string dir, EtcdTestPki? pki)
    {
        this.dir = dir;
        Pki = pki;
        (clientPort, peerPort) = FreePorts();
        var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) };
        if (pki is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(pki.CaFile);
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                ClientCertificates = [X509Certificate2.CreateFromPemFile(pki.ClientCertFile, pki.ClientKeyFile)],
                CertificateChainPolicy = policy,
            };
        }
        admin = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>
    /// Starts etcd (plain HTTP, or mutual TLS when <paramref name="tls"/> is set) and waits until it is healthy.
    /// <paramref name="maxRequestBytes"/> lowers etcd's request limit (--max-request-bytes, 1.5 MiB by default).
    /// </summary>
    public static async Task<EtcdServer> Start(bool tls = false, int? maxRequestBytes = null)
    {
        // The ports are free when chosen but not held until etcd binds them: a connection another test opens
        // meanwhile may take one as its ephemeral port. Then etcd exits at once, and new ports are chosen.
        for (var attempt = 1; ; attempt++)
        {
            var dir = Path.Combine(Path.GetTempPath(), "wb-etcd-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(dir);
            var server = new EtcdServer(dir, tls ? EtcdTestPki.Create(Path.Combine(dir, "pki")) : null) { maxRequestBytes = maxRequestBytes };
            try
            {
                await server.Launch();
                return server;
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
        }
    }

    async Task Launch()
    {
        if (IsRunning) return;
        var peer = $"http://127.0.0.1:{peerPort}";
        var args = new List<string>
        {
            "--name", "wb", "--data-dir", Path.Combine(dir, "data"),
            "--listen-client-urls", ClientUrl, "--advertise-client-urls", ClientUrl,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"wb={peer}",
            // One member: elect itself fast on start and restart.
            "--heartbeat-interval", "25", "--election-timeout", "250",
        };
        if (maxRequestBytes is { } max) args.AddRange(["--max-request-bytes", max.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (Pki is not null)
            args.AddRange(["--cert-file", Pki.ServerCertFile, "--key-file", Pki.ServerKeyFile, "--trusted-ca-file", Pki.CaFile, "--client-cert-auth"]);
        // exec: the shell becomes etcd, so the pid is etcd's and the output goes straight to the log file.
        var command = "exec etcd " + string.Join(" ", args.Select(a => "'" + a + "'")) + $" >> '{LogFile}' 2>&1";
        process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("cannot start etcd");
        await WaitHealthy(TimeSpan.FromSeconds(20));
    }

    /// <summary>Polls /health until etcd answers {"health":"true"}.</summary>
    public async Task WaitHealthy(TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            if (process is { HasExited: true })
                throw new InvalidOperationException($"etcd exited with {process.ExitCode}:\n{Tail()}");
            try
            {
                using var response = await admin.GetAsync($"{ClientUrl}/health");
                if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("true", StringComparison.Ordinal)) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException($"etcd did not become healthy within {within}:\n{Tail()}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGTERM, as an orderly shutdown; SIGKILL if it lingers.</summary>
    public async Task Stop()
    {
        if (process is null) return;
        if (!process.HasExited)
        {
            _ = kill(process.Id, 15);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { process.Kill(); await process.WaitForExitAsync(); }
        }
        process.Dispose();
        process = null;
        rootToken = null;
    }

    /// <summary>SIGKILL: a crash.</summary>
    public async Task Kill()
    {
        if (process is null) return;
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
        process = null;
        rootToken = null;
    }

    /// <summary>Starts again on the same ports with the same data directory.</summary>
    public async Task Restart()
    {
        await Stop();
        await Launch();
    }

    /// <summary>Starts a stopped server again (same ports, same data).</summary>
    public Task Resume() => Launch();

    /// <summary>Creates <paramref name="user"/> with readwrite on /whereabouts/ only, a root user, and turns authentication on.</summary>
    public async Task EnableAuth(string user, string password)
    {
        await Post("auth/user/add", new JsonObject { ["name"] = "root", ["password"] = RootPassword });
        await Post("auth/user/grant", new JsonObject { ["user"] = "root", ["role"] = "root" });
        await Post("auth/user/add", new JsonObject { ["name"] = user, ["password"] = password });
        await Post("auth/role/add", new JsonObject { ["name"] = "whereabouts" });
        await Post("auth/role/grant", new JsonObject
        {
            ["name"] = "whereabouts",
            ["perm"] = new JsonObject { ["permType"] = "READWRITE", ["key"] = B64("/whereabouts/"), ["range_end"] = B64("/whereabouts0") },
        });
        await Post("auth/user/grant", new JsonObject { ["user"] = user, ["role"] = "whereabouts" });
        await Post("auth/enable", new JsonObject());
        authEnabled = true;
    }

    /// <summary>Adds a user (after <see cref="EnableAuth"/>), with the readwrite role on /whereabouts/ or with no role at all.</summary>
    public async Task AddUser(string user, string password, bool withRole)
    {
        await Post("auth/user/add", new JsonObject { ["name"] = user, ["password"] = password });
        if (withRole) await Post("auth/user/grant", new JsonObject { ["user"] = user, ["role"] = "whereabouts" });
    }

    public async Task Put(string key, string value) =>
        await Post("kv/put", new JsonObject { ["key"] = B64(key), ["value"] = B64(value) });

    public async Task<string?> Get(string key)
    {
        var kvs = (await Post("kv/range", new JsonObject { ["key"] = B64(key) }))["kvs"]?.AsArray();
        return kvs is { Count: > 0 } ? Text(kvs[0]!["value"]) : null;
    }

    /// <summary>Every key under the prefix with its value, in key order.</summary>
    public async Task<List<(string Key, string Value)>> List(string prefix)
    {
        var kvs = (await Post("kv/range", new JsonObject { ["key"] = B64(prefix), ["range_end"] = B64(PrefixEnd(prefix)) }))["kvs"]?.AsArray();
        return (kvs ?? []).Select(kv => (Text(kv!["key"]), Text(kv!["value"]))).ToList();
    }

    public async Task DeletePrefix(string prefix) =>
        await Post("kv/deleterange", new JsonObject { ["key"] = B64(prefix), ["range_end"] = B64(PrefixEnd(prefix)) });

    async Task<JsonNode> Post(string path, JsonObject body, bool retried = false)
    {
        if (authEnabled && rootToken is null)
        {
            var auth = await Send("auth/authenticate", new JsonObject { ["name"] = "root", ["password"] = RootPassword }, null);
            rootToken = auth["token"]!.GetValue<string>();
        }
        try
        {
            return await Send(path, body, authEnabled ? rootToken : null);
        }
        catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.Unauthorized && !retried)
        {
            rootToken = null;
            return await Post(path, body, retried: true);
        }
    }

    async Task<JsonNode> Send(string path, JsonObject body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{ClientUrl}/v3/{path}")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.TryAddWithoutValidation("Authorization", token);
        using var response = await admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"etcd {path}: HTTP {(int)response.StatusCode} {text}", null, response.StatusCode);
        return JsonNode.Parse(text)!;
    }

    static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    static string Text(JsonNode? base64) => base64 is null ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(base64.GetValue<string>()));

    static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    public string Tail(int lines = 30)
    {
        try { return string.Join("\n", File.ReadAllLines(LogFile).TakeLast(lines)); }
        catch (IOException) { return "(no log)"; }
    }

    static (int, int) FreePorts()
    {
        var a = new TcpListener(IPAddress.Loopback, 0);
        var b = new TcpListener(IPAddress.Loopback, 0);
        a.Start();
        b.Start();
        var ports = (((IPEndPoint)a.LocalEndpoint).Port, ((IPEndPoint)b.LocalEndpoint).Port);
        a.Stop();
        b.Stop();
        return ports;
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await Kill();
        admin.Dispose();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
