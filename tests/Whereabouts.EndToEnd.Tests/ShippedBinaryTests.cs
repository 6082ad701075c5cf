using Xunit;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// What we ship: the publish folder holds the executable alone, the executable needs nothing from the node
/// but the C library, and it speaks TLS on a node that has no libssl (OpenSSL is linked in).
/// </summary>
public sealed class ShippedBinaryTests
{
    [Fact]
    public void PublishFolderHoldsTheExecutableAlone()
    {
        var files = Directory.GetFiles(Path.GetDirectoryName(PluginBinary.Path)!).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(new[] { "whereabouts" }, files);
    }

    [Fact]
    public void ExecutableNeedsOnlyTheCLibrary()
    {
        var needed = Run("readelf", "-d", PluginBinary.Path).Split('\n')
            .Where(l => l.Contains("(NEEDED)")).Select(l => l[(l.IndexOf('[') + 1)..l.IndexOf(']')]).Order().ToArray();
        Assert.Equal(new[] { "ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6" }, needed);
    }

    /// <summary>
    /// A root file system with only the C library and the plugin: no libssl anywhere. An ADD against a TLS
    /// endpoint whose certificate nobody trusts must end in a CNI error about that certificate, which shows
    /// the handshake ran, where a dynamically loaded OpenSSL would abort with "No usable version of libssl".
    /// </summary>
    [Fact]
    public async Task SpeaksTlsOnANodeWithoutLibssl()
    {
        using var root = new TempDir();
        BuildMinimalRoot(root.Path);
        using var server = UntrustedTlsServer.Start();
        var flat = Path.Combine(root.Path, "etc/cni/net.d/whereabouts.d");
        Directory.CreateDirectory(flat);
        File.WriteAllText(Path.Combine(flat, "whereabouts.conf"),
            $$"""{"datastore":"etcd","etcd_host":"https://127.0.0.1:{{server.Port}}"}""");

        var info = PluginBinary.StartInfo("ADD", "cid-tls", "net1", "default/pod-tls",
            new() { ["WHEREABOUTS_RETRY_DEADLINE_MS"] = "3000", ["WHEREABOUTS_FLAT_FILE"] = "/etc/cni/net.d/whereabouts.d/whereabouts.conf" });
        info.FileName = "chroot";
        info.ArgumentList.Add(root.Path);
        info.ArgumentList.Add("/whereabouts");
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(PluginBinary.Conf("1.0.0", """{"type":"whereabouts","range":"10.40.0.0/24"}"""));
        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.DoesNotContain("libssl", stderr);
        Assert.Equal(1, process.ExitCode);
        var error = JsonNode.Parse(stdout)!;
        Assert.Equal(50, (int)error["code"]!);
        Assert.Contains("TLS", (string)error["msg"]!);
        Assert.True(server.Connections > 0, "the plugin never reached the TLS server");
    }

    static void BuildMinimalRoot(string root)
    {
        foreach (var lib in new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6", "/lib64/ld-linux-x86-64.so.2" })
        {
            var target = root + lib;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(lib, target);
        }
        File.Copy(PluginBinary.Path, Path.Combine(root, "whereabouts"));
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        Run("mknod", "-m", "444", Path.Combine(root, "dev/urandom"), "c", "1", "9");
        Run("mknod", "-m", "666", Path.Combine(root, "dev/null"), "c", "1", "3");
        Assert.Empty(Directory.GetFiles(root, "libssl*", SearchOption.AllDirectories));
    }

    static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}: {error}");
        return output;
    }

    /// <summary>A loopback TLS server with a self-signed certificate: every client's validation fails.</summary>
    sealed class UntrustedTlsServer : IDisposable
    {
        readonly TcpListener listener = new(IPAddress.Loopback, 0);
        readonly X509Certificate2 certificate;
        readonly CancellationTokenSource stop = new();
        int connections;

        UntrustedTlsServer()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=untrusted.example", key, HashAlgorithmName.SHA256);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            certificate = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
        }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;
        public int Connections => Volatile.Read(ref connections);

        public static UntrustedTlsServer Start()
        {
            var server = new UntrustedTlsServer();
            server.listener.Start();
            _ = server.Accept();
            return server;
        }

        async Task Accept()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(stop.Token); }
                catch (Exception) { return; }
                _ = Serve(client);
            }
        }

        async Task Serve(TcpClient client)
        {
            using (client)
            await using (var tls = new SslStream(client.GetStream()))
            {
                Interlocked.Increment(ref connections);
                try { await tls.AuthenticateAsServerAsync(certificate); }
                catch (Exception) { /* the client refuses our certificate: that is the point */ }
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            certificate.Dispose();
        }
    }
}
