using Whereabouts.Testing.Etcd;

namespace Whereabouts.Kubectl.Tests;

/// <summary>The plugin's etcd_* TLS settings as flags: mutual TLS with a client certificate and the server's CA.</summary>
public sealed class EtcdTlsTests : IAsyncLifetime
{
    EtcdServer etcd = null!;

    public async Task InitializeAsync()
    {
        etcd = await EtcdServer.Start(tls: true);
        await etcd.Put("/whereabouts/ippools/10.20.0.0-24", """{"range":"10.20.0.0/24","allocations":{"5":{"id":"c","podref":"default/p","ifname":"net1"}}}""");
    }

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    [Fact]
    public async Task PoolsComeFromAnEtcdThatWantsAClientCertificate()
    {
        var pki = etcd.Pki!;
        var run = await Kubectl.RunWith(new Dictionary<string, string> { ["HOME"] = "/nonexistent" }, ["pools", "-o", "json",
            "--etcd-endpoints", etcd.Endpoint, "--etcd-cert-file", pki.ClientCertFile, "--etcd-key-file", pki.ClientKeyFile, "--etcd-ca-cert-file", pki.CaFile]);
        Assert.Equal((ExitCodes.Ok, ""), (run.Code, run.Error));
        Assert.Contains("\"used\": 1", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheClientCertificateItCannotBeUsed()
    {
        var run = await Kubectl.RunWith(new Dictionary<string, string> { ["HOME"] = "/nonexistent" }, ["pools",
            "--etcd-endpoints", etcd.Endpoint, "--etcd-ca-cert-file", etcd.Pki!.CaFile]);
        Assert.Equal(ExitCodes.Unavailable, run.Code);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }
}
