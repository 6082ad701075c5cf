using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Etcd;
using Whereabouts.Testing.Etcd;
using Xunit;

namespace Whereabouts.Stores.Tests.Etcd;

/// <summary>
/// A real etcd with a small --max-request-bytes: once the pool cannot be stored any larger
/// ("etcdserver: request is too large"), ADD is the permanent error 106 at once, not code 11 at the deadline,
/// and the failed ADD leaves no reservation behind.
/// </summary>
public sealed class EtcdPoolSizeTests : IAsyncLifetime
{
    static readonly Cidr Range = Cidr.Parse("10.32.0.0/24").IfFail(default(Cidr));
    static NetworkScope Scope => new(ImmutableArray.Create(RangeSpec.Of(Range)), "size", OverlappingRanges: true);

    EtcdServer etcd = null!;

    public async Task InitializeAsync() => etcd = await EtcdServer.Start(maxRequestBytes: 1500);

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    static Task<Fin<Outcome>> Add(IPoolStore store, int i) =>
        new ConflictRetry(store, RetryPolicy.Default with { Deadline = TimeSpan.FromSeconds(30) }, TimeProvider.System, Random.Shared.NextDouble, Log.Silent).Run(
            Scope.PoolKeys,
            (pools, known) => Allocator.Decide(new AddRequest(new Owner($"cid-{i}", $"default/pod-{i}", "net1"), Scope, ImmutableArray<Address>.Empty), pools, known),
            default);

    [Fact]
    public async Task APoolOverEtcdsRequestLimitIsAPermanentErrorSaidAtOnce()
    {
        await using var store = Fixtures.Open(Fixtures.Settings(etcd.Endpoint));
        var added = 0;
        Fin<Outcome> result;
        while ((result = await Add(store, added)).IsSucc && added < 100) added++;

        Assert.InRange(added, 1, 40);
        var error = result.Match(_ => throw new Xunit.Sdk.XunitException("the pool never stopped growing"), e => e);
        Assert.Equal(Core.Errors.PoolTooLargeCode, error.Code);
        Assert.Contains("is full as an object", error.Message);
        Assert.Contains("node_slice_size", error.Message);
        Assert.Contains("etcdserver: request is too large", error.Message);
        Assert.Equal(added, (await etcd.List(EtcdPoolStore.ReservationPrefix)).Count);
    }
}
