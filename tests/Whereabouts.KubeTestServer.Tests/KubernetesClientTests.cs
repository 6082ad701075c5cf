using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using static Whereabouts.KubeTestServer.Tests.Objects;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>The written kubeconfig works with the real KubernetesClient, TLS and token included.</summary>
public sealed class KubernetesClientTests : IDisposable
{
    private const string Group = "whereabouts.cni.cncf.io";
    private const string Version = "v1alpha1";
    private readonly string _dir = Directory.CreateTempSubdirectory("kubetestserver-").FullName;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Kubeconfig_loads_and_a_real_client_can_create_get_and_hit_a_conflict(bool inlineCa)
    {
        await using var server = await KubeTestServer.StartAsync();
        var path = server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"), "whereabouts", inlineCa);

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        using var client = new Kubernetes(config);

        Assert.Equal("whereabouts", config.Namespace);
        Assert.Equal(server.Token, config.AccessToken);
        Assert.Equal(server.BaseAddress, new Uri(config.Host));
        var created = (JsonElement)await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            Pool("10.2.0.0-24", "10.2.0.0/24"), Group, Version, config.Namespace, "ippools");
        var createdRv = created.GetProperty("metadata").GetProperty("resourceVersion").GetString();

        var got = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(
            Group, Version, config.Namespace, "ippools", "10.2.0.0-24");
        Assert.Equal("10.2.0.0/24", got.GetProperty("spec").GetProperty("range").GetString());

        var fresh = Allocate(Pool("10.2.0.0-24", "10.2.0.0/24", createdRv), "1", "default/a");
        await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(fresh, Group, Version, config.Namespace, "ippools", "10.2.0.0-24");

        var stale = Allocate(Pool("10.2.0.0-24", "10.2.0.0/24", createdRv), "1", "default/b");
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.ReplaceNamespacedCustomObjectAsync(stale, Group, Version, config.Namespace, "ippools", "10.2.0.0-24"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Contains("the object has been modified", conflict.Response.Content);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, config.Namespace, "ippools", "nope"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
