using System.Text;
using k8s;
using Whereabouts.KubeTestServer;

namespace Whereabouts.Installer.Tests;

/// <summary>The kubeconfig the installer writes, read by KubernetesClient and used against an API server that checks its token and TLS.</summary>
public sealed class KubeconfigTests
{
    static ServiceAccount Account(string token = "abc", string ns = "kube-system") => new(token, Encoding.UTF8.GetBytes("ca"), ns);

    static KubernetesClientConfiguration Load(byte[] kubeconfig)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, kubeconfig);
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ItNamesTheServerTheTokenAndTheNamespace()
    {
        var config = Load(NodeFiles.Kubeconfig(Account(ns: "whereabouts"), "10.96.0.1", "443"));
        Assert.Equal("https://10.96.0.1/", new Uri(config.Host).ToString());
        Assert.Equal("abc", config.AccessToken);
        Assert.Equal("whereabouts", config.Namespace);
    }

    [Fact]
    public void AnIPv6ServiceAddressIsBracketed()
    {
        var config = Load(NodeFiles.Kubeconfig(Account(), "fd00::1", "6443"));
        Assert.Equal("https://[fd00::1]:6443/", new Uri(config.Host).ToString());
    }

    [Fact]
    public void ATokenWithQuotesAndColonsStaysOneString()
    {
        var config = Load(NodeFiles.Kubeconfig(Account(token: "a: \"b\" #c"), "10.0.0.1", "443"));
        Assert.Equal("a: \"b\" #c", config.AccessToken);
    }

    [Fact]
    public void ANamespaceFlagOverridesTheServiceAccounts()
    {
        using var node = new NodeDirs(ns: "kube-system");
        new Installation(node.Options() with { Namespace = "networking" }, TextWriter.Null).Install();
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.Combine(node.ConfigDir, "whereabouts.kubeconfig"));
        Assert.Equal("networking", config.Namespace);
    }

    [Fact]
    public async Task TheWrittenKubeconfigReachesTheApiServer()
    {
        await using var server = await Whereabouts.KubeTestServer.KubeTestServer.StartAsync();
        using var node = new NodeDirs(token: server.Token, ca: server.CaPem, ns: "kube-system");
        new Installation(node.Options(server.BaseAddress.Host, server.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), TextWriter.Null).Install();
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.Combine(node.ConfigDir, "whereabouts.kubeconfig"));
        using var client = new Kubernetes(config);
        var pools = await client.CustomObjects.ListNamespacedCustomObjectAsync("whereabouts.cni.cncf.io", "v1alpha1", "kube-system", "ippools");
        Assert.NotNull(pools);
        Assert.True(server.RequestCount("list", "ippools") >= 1);
    }
}
