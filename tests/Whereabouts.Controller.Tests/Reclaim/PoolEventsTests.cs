using Whereabouts.Controller.Events;
using Whereabouts.Controller.Reclaim;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Reclaim;

namespace Whereabouts.Controller.Tests.Reclaim;

public sealed class PoolEventsTests
{
    sealed class Recorder : IEventSink
    {
        public List<(EventSubject About, string Type, string Reason, string Message)> Events { get; } = [];
        public Task Record(EventSubject about, string type, string reason, string message, CancellationToken ct)
        {
            Events.Add((about, type, reason, message));
            return Task.CompletedTask;
        }
    }

    static readonly Cidr Range = Cidr.Parse("10.0.0.0/28").ThrowIfFail(); // 14 usable

    static PoolUsage Used(int n) => new("10.0.0.0-28", Range, 14, n);

    [Fact]
    public async Task FullnessIsReportedWhenThePoolReachesItNotOnEverySweep()
    {
        var sink = new Recorder();
        var events = new PoolEvents(sink, "kube-system");
        foreach (var used in new[] { 3, 12, 13, 13, 14, 14, 5, 14 }) await events.Usage([Used(used)], default);
        Assert.Equal(["PoolNearlyFull", "PoolExhausted", "PoolExhausted"], sink.Events.Select(e => e.Reason));
        Assert.All(sink.Events, e => Assert.Equal(("Warning", "IPPool", "10.0.0.0-28", "kube-system"), (e.Type, e.About.Kind, e.About.Name, e.About.Namespace)));
        Assert.Contains("13 of 14", sink.Events[0].Message);
    }

    [Fact]
    public async Task AReclaimSaysWhichAddressWhoseAndWhy()
    {
        var sink = new Recorder();
        await new PoolEvents(sink, "kube-system").Reclaimed(
            new Leak(PoolKey.For(Range, "blue"), new Allocation(5, new Owner("abc", "default/web", "net1")), ReclaimReason.PodGone), default);
        var e = Assert.Single(sink.Events);
        Assert.Equal(("Normal", "AddressReclaimed", "blue-10.0.0.0-28"), (e.Type, e.Reason, e.About.Name));
        Assert.Equal("released 10.0.0.5 held by default/web (interface net1, container abc): the pod no longer exists and its CNI DEL never came", e.Message);
    }

    [Theory]
    [InlineData("10.0.0.0-28", "10.0.0.0/28", "")]
    [InlineData("blue-10.0.0.0-28", "10.0.0.0/28", "blue")]
    [InlineData("blue-worker-1-10.0.0.0-28", "10.0.0.0/28", "blue-worker-1")]
    [InlineData("my-net-fd00-0-0-10---64", "fd00:0:0:10::/64", "my-net")]
    public void TheNetworkLabelIsThePoolNameBeforeItsRange(string pool, string range, string network) =>
        Assert.Equal(network, new PoolKey(pool, Cidr.Parse(range).ThrowIfFail()).Prefix);
}
