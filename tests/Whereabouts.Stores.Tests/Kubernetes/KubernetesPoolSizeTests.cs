using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.KubeTestServer;
using Xunit;

namespace Whereabouts.Stores.Tests.Kubernetes;

/// <summary>
/// An IPPool that the API can no longer store any larger (etcd's request limit, passed on as
/// <c>500 etcdserver: request is too large</c>; or the apiserver's 413) is a permanent error, 106, said at
/// once: the write is not sent again, and nothing the failed ADD wrote stays behind.
/// </summary>
public sealed class KubernetesPoolSizeTests : IAsyncLifetime
{
    static readonly Cidr Range = Cidr.Parse("10.31.0.0/24").IfFail(default(Cidr));
    const string Network = "size";
    static NetworkScope Scope => new(ImmutableArray.Create(RangeSpec.Of(Range)), Network, OverlappingRanges: true);

    readonly string dir = Path.Combine(Path.GetTempPath(), "wb-size-" + Guid.NewGuid().ToString("N")[..12]);
    KubeTestServer.KubeTestServer etcdLimited = null!;
    KubeTestServer.KubeTestServer bodyLimited = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dir);
        // About 100 bytes per allocation: a pool of a handful of allocations is already too large.
        etcdLimited = await KubeTestServer.KubeTestServer.StartAsync(new KubeTestServerOptions { MaxObjectBytes = 1200 });
        bodyLimited = await KubeTestServer.KubeTestServer.StartAsync(new KubeTestServerOptions { MaxRequestBodyBytes = 1200 });
    }

    public async Task DisposeAsync()
    {
        await etcdLimited.DisposeAsync();
        await bodyLimited.DisposeAsync();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    Whereabouts.Stores.Kubernetes.KubernetesPoolStore Open(KubeTestServer.KubeTestServer server, string ns) =>
        new(Whereabouts.Stores.Kubernetes.Kubeconfig.Load(server.WriteKubeconfig(Path.Combine(dir, $"{ns}-{server.BaseAddress.Port}.kubeconfig"), ns)), Log.Silent);

    static int PoolWrites(KubeTestServer.KubeTestServer server) =>
        server.RequestCount(KubeVerbs.Update, KubernetesPoolStoreNames.Pools) + server.RequestCount(KubeVerbs.Create, KubernetesPoolStoreNames.Pools);

    static Task<Fin<Outcome>> Add(IPoolStore store, int i) =>
        new ConflictRetry(store, RetryPolicy.Default with { Deadline = TimeSpan.FromSeconds(30) }, TimeProvider.System, Random.Shared.NextDouble, Log.Silent).Run(
            Scope.PoolKeys,
            (pools, known) => Allocator.Decide(new AddRequest(new Owner($"cid-{i}", $"default/pod-{i}", "net1"), Scope, ImmutableArray<Address>.Empty), pools, known),
            default);

    [Theory]
    [InlineData("etcd's request limit")]
    [InlineData("the apiserver's body limit")]
    public async Task APoolThatCanNoLongerGrowIsAPermanentErrorSaidAtOnce(string limit)
    {
        var server = limit.StartsWith("etcd", StringComparison.Ordinal) ? etcdLimited : bodyLimited;
        var ns = "t-" + Guid.NewGuid().ToString("N")[..10];
        await using var store = Open(server, ns);

        // ADD until the pool cannot grow; the ADD that finds out fails with 106 after exactly one refused pool
        // write (no retry until the deadline).
        var added = 0;
        int writesBefore;
        Fin<Outcome> result;
        do
        {
            writesBefore = PoolWrites(server);
            result = await Add(store, added);
        }
        while (result.IsSucc && ++added < 50);
        Assert.InRange(added, 1, 20);
        var error = result.Match(_ => throw new Xunit.Sdk.XunitException("the pool never stopped growing"), e => e);
        Assert.Equal(Core.Errors.PoolTooLargeCode, error.Code);
        Assert.Contains("is full as an object", error.Message);
        Assert.Contains("node_slice_size", error.Message);
        Assert.Equal(1, PoolWrites(server) - writesBefore);

        // The failed ADD's reservation was undone: only the pods in the pool hold reservations.
        var pool = server.Get(KubernetesPoolStoreNames.Pools, ns, PoolKey.For(Range, Network).Name)!;
        Assert.Equal(added, pool["spec"]!["allocations"]!.AsObject().Count);
        Assert.Equal(added, server.List(KubernetesPoolStoreNames.Reservations, ns).Count);
    }
}
