using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Tests.Engine;

/// <summary>
/// Allocator and Releaser on hand-written examples that need no store. The examples that run against one
/// (through the real retry loop) are Whereabouts.Stores.Tests' EngineTests.
/// </summary>
public sealed class EngineTests
{
    static Cidr C(string text) => Cidr.Parse(text).ThrowIfFail();

    static Address A(string text) => Address.Parse(text).ThrowIfFail();

    static readonly Owner PodA = new("sandbox-1", "default/pod-a", "net1");

    static NetworkScope Scope(bool overlapping = true, string network = "", params RangeSpec[] ranges) =>
        new([.. ranges], network, overlapping);

    static NetworkScope Scope(params string[] ranges) => Scope(true, "", ranges.Select(r => RangeSpec.Of(C(r))).ToArray());

    [Theory]
    [InlineData("10.0.0.0", "the network address")]
    [InlineData("10.0.0.5", "an excluded address")]
    [InlineData("192.168.0.1", "outside every range")]
    public void ARequestedAddressThatIsNotAllocatableIsRefused(string requested, string because)
    {
        var scope = Scope(true, "", RangeSpec.Of(C("10.0.0.0/24")) with { Exclude = [C("10.0.0.4/30")] });
        var result = Allocator.Decide(new AddRequest(PodA, scope, [A(requested)]), ImmutableArray<PoolSnapshot>.Empty, KnownReservations.None);
        Assert.True(result.IsFail, $"{requested} is {because}");
        result.IfFail(e =>
        {
            Assert.Equal(Errors.RequestedOutsideRangesCode, e.Code);
            Assert.Contains(requested, e.Message);
        });
    }

    [Fact]
    public void DelOfSomethingNeverAllocatedIsAnEmptyPlanAndCreatesNoPool()
    {
        var scope = Scope("10.0.0.0/24");
        var plan = Releaser.Decide(new DelRequest("nobody", "net1", scope), scope.PoolKeys.Map(PoolSnapshot.Missing));
        Assert.True(plan.IsEmpty);
    }
}
