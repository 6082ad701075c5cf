using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Engine;
using Whereabouts.Stores.Memory;
using Xunit;
using Errors = Whereabouts.Core.Errors;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>ADD asking for a particular address: granted when free, refused naming the holder otherwise.</summary>
public sealed partial class EngineTests
{
    [Fact]
    public async Task ARequestedAddressIsGrantedWhenFree()
    {
        var store = new InMemoryPoolStore();
        Assert.Equal("10.0.0.77/24", Leases(await Add(store, PodA, Scope("10.0.0.0/24"), "10.0.0.77")).Single().ToString());
    }

    [Fact]
    public async Task ARequestedAddressThatIsHeldIsRefusedNamingTheHolder()
    {
        var store = new InMemoryPoolStore();
        var scope = Scope("10.0.0.0/24");
        await Add(store, PodA, scope);
        var result = Allocator.Decide(new AddRequest(PodB, scope, [A("10.0.0.1")]), await store.Load(scope), await store.AllReservations());
        result.Match(
            Succ: _ => Assert.Fail("10.0.0.1 is taken"),
            Fail: e =>
            {
                Assert.Equal(Errors.AddressTakenCode, e.Code);
                Assert.Contains("10.0.0.1", e.Message);
                Assert.Contains("default/pod-a", e.Message);
            });
    }

    [Fact]
    public async Task ARequestedAddressHeldThroughAnOverlappingRangeIsRefused()
    {
        var store = new InMemoryPoolStore();
        await Add(store, PodA, Scope("10.0.0.0/24"));
        var other = Scope("10.0.0.0/25");
        var result = Allocator.Decide(new AddRequest(PodB, other, [A("10.0.0.1")]), await store.Load(other), await store.AllReservations());
        Assert.Equal(Errors.AddressTakenCode, result.Match(Succ: _ => 0, Fail: e => e.Code));
        Assert.Equal("10.0.0.2/25", Leases(await Add(store, PodB, other)).Single().ToString());
    }
}
