using Whereabouts.Stores.Kubernetes;
using Xunit;

namespace Whereabouts.Stores.Tests.Kubernetes;

/// <summary>One in-process fake kube-apiserver per test class; tests isolate themselves by namespace.</summary>
public sealed class KubeServerFixture : IAsyncLifetime
{
    public KubeTestServer.KubeTestServer Server { get; private set; } = null!;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "wb-kube-" + Guid.NewGuid().ToString("N")[..12]);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        Server = await KubeTestServer.KubeTestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A fresh namespace name: every test gets an empty datastore on the shared server.</summary>
    public static string FreshNamespace() => "t-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A kubeconfig for this server whose current context is <paramref name="ns"/>.</summary>
    public string Kubeconfig(string ns, bool inlineCa = true) =>
        Server.WriteKubeconfig(Path.Combine(Dir, $"{ns}-{(inlineCa ? "inline" : "file")}.kubeconfig"), ns, inlineCa);

    /// <summary>A store on <paramref name="ns"/>, as one plugin process would open it (the kubeconfig is written once).</summary>
    public KubernetesPoolStore Open(string ns, TimeSpan? requestTimeout = null) =>
        new(Whereabouts.Stores.Kubernetes.Kubeconfig.Load(written.GetOrAdd(ns, n => new Lazy<string>(() => Kubeconfig(n))).Value), Log.Silent, requestTimeout);

    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string>> written = new();
}
