using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The published plugin with a client-certificate kubeconfig (inline data, or files beside it): ADD and DEL
/// work with no token, an untrusted certificate is refused with the API's 401, and, as with a token, the
/// process never reads the system CA directory (the kubeconfig's CA is the only trust).
/// </summary>
public sealed class ClientCertificateEndToEndTests : IAsyncLifetime
{
    readonly TempDir dir = new();
    KubeTestServer.KubeTestServer server = null!;

    public async Task InitializeAsync() => server = await KubeTestServer.KubeTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }

    string Conf(string kubeconfig) =>
        PluginBinary.Conf("1.0.0", $$$"""{"type":"whereabouts","range":"10.41.0.0/24","kubernetes":{"kubeconfig":"{{{kubeconfig}}}"}}""");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AddAndDelAuthenticateWithTheClientCertificate(bool inline)
    {
        var kubeconfig = server.WriteClientCertificateKubeconfig(System.IO.Path.Combine(dir.Path, $"cert-{inline}.kubeconfig"), user: "node-a", inlineCa: inline);
        var add = await Run("ADD", Conf(kubeconfig), "cc-1", pod: "default/cc-1");
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Equal("10.41.0.1/24", (string)JsonNode.Parse(add.Stdout)!["ips"]![0]!["address"]!);
        Assert.Equal(0, (await Run("DEL", Conf(kubeconfig), "cc-1", pod: "default/cc-1")).ExitCode);
        Assert.True(server.RequestCountBy("node-a") >= 4);
        Assert.Equal(0, server.RequestCountBy("token"));
    }

    [Fact]
    public async Task ACertificateTheApiDoesNotTrustIsRefusedWith401()
    {
        var kubeconfig = server.WriteClientCertificateKubeconfig(System.IO.Path.Combine(dir.Path, "untrusted.kubeconfig"), user: "mallory", trusted: false);
        var add = await Run("ADD", Conf(kubeconfig), "cc-2", pod: "default/cc-2");
        Assert.Equal(1, add.ExitCode);
        var error = JsonNode.Parse(add.Stdout)!;
        Assert.Equal(50, (int)error["code"]!);
        Assert.Contains("401", (string)error["msg"]!);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("client certificate")]
    public async Task TheSystemCaDirectoryIsNotRead(string auth)
    {
        if (!File.Exists("/usr/bin/strace")) return; // the behaviour is the file list; without strace there is nothing to see
        var path = System.IO.Path.Combine(dir.Path, auth.Replace(' ', '-') + ".kubeconfig");
        var kubeconfig = auth == "token" ? server.WriteKubeconfig(path) : server.WriteClientCertificateKubeconfig(path);
        var trace = System.IO.Path.Combine(dir.Path, "openat.strace");
        var info = StartInfo("ADD", "cc-3", "net1", "default/cc-3");
        var strace = new ProcessStartInfo("/usr/bin/strace", ["-f", "-e", "trace=openat", "-o", trace, info.FileName])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in info.Environment) strace.Environment[k] = v;
        using var process = Process.Start(strace)!;
        await process.StandardInput.WriteAsync(Conf(kubeconfig));
        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && !File.Exists(trace)) return; // strace not permitted here (no ptrace)
        Assert.True(process.ExitCode == 0, stdout);
        var opened = File.ReadAllLines(trace).Where(l => l.Contains("/etc/ssl/certs", StringComparison.Ordinal)).ToList();
        Assert.True(opened.Count == 0, $"{auth}: {opened.Count} opens under /etc/ssl/certs, e.g. {opened.FirstOrDefault()}");
    }
}
