using System.Text.Json.Nodes;
using Whereabouts.Controller.Events;
using Whereabouts.Controller.Tests.Slices;
using Whereabouts.KubeTestServer;
using Whereabouts.Stores;
using static Whereabouts.Controller.Tests.Slices.SliceServer;

namespace Whereabouts.Controller.Tests.Events;

/// <summary>core/v1 Events as the sink records them on the API test server.</summary>
public sealed class KubernetesEventSinkTests : IAsyncLifetime
{
    readonly SliceServer api = new();
    readonly ManualClock clock = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    KubernetesEventSink sink = null!;

    static readonly EventSubject Nad = new("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", "team", "blue", "uid-7");

    public async Task InitializeAsync()
    {
        await api.InitializeAsync();
        sink = new KubernetesEventSink(api.Kube.Client, Log.Silent, clock, "controller-0");
    }

    public Task DisposeAsync() => api.DisposeAsync();

    IReadOnlyList<JsonObject> Events(string ns = "team") => api.Server.List("events", ns);

    [Fact]
    public async Task AnEventCarriesWhatKubectlDescribeShows()
    {
        await sink.Record(Nad, "Warning", "NodeSlicesExhausted", "no free slice", default);
        var e = Assert.Single(Events());
        var about = e["involvedObject"]!;
        Assert.Equal(("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", "team", "blue", "uid-7"),
            (Text(about["apiVersion"]), Text(about["kind"]), Text(about["namespace"]), Text(about["name"]), Text(about["uid"])));
        Assert.Equal(("Warning", "NodeSlicesExhausted", "no free slice"), (Text(e["type"]), Text(e["reason"]), Text(e["message"])));
        Assert.Equal(("whereabouts-controller", "controller-0"), (Text(e["source"]!["component"]), Text(e["source"]!["host"])));
        Assert.Equal(("whereabouts-controller", "controller-0"), (Text(e["reportingComponent"]), Text(e["reportingInstance"])));
        Assert.Equal((1, "2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z"), (e["count"]!.GetValue<int>(), Text(e["firstTimestamp"]), Text(e["lastTimestamp"])));
        Assert.StartsWith("blue.", Text(e["metadata"]!["name"]));
    }

    [Fact]
    public async Task TheSameReportAgainIsCountedOnTheEventAlreadyMade()
    {
        await sink.Record(Nad, "Warning", "R", "same", default);
        clock.Advance(TimeSpan.FromMinutes(3));
        await sink.Record(Nad, "Warning", "R", "same", default);
        var e = Assert.Single(Events());
        Assert.Equal((2, "2026-12-02T10:00:00Z", "2026-12-02T10:03:00Z"), (e["count"]!.GetValue<int>(), Text(e["firstTimestamp"]), Text(e["lastTimestamp"])));

        await sink.Record(Nad, "Warning", "R", "another message", default);
        Assert.Equal(2, Events().Count);
    }

    [Fact]
    public async Task AnEventThatExpiredIsMadeAgain()
    {
        await sink.Record(Nad, "Normal", "R", "m", default);
        Assert.True(api.Server.Delete("events", "team", Text(Assert.Single(Events())["metadata"]!["name"])));
        await sink.Record(Nad, "Normal", "R", "m", default);
        Assert.Equal(1, Assert.Single(Events())["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task AClusterScopedObjectsEventsGoToTheDefaultNamespace()
    {
        await sink.Record(new EventSubject("v1", "Node", "", "w1"), "Normal", "R", "m", default);
        var e = Assert.Single(Events("default"));
        Assert.Null(e["involvedObject"]!["namespace"]);
    }

    [Fact]
    public async Task AFailureToRecordIsNotThrown()
    {
        api.Server.Faults.FailNext("create", FaultKind.InternalServerError, times: 10);
        await sink.Record(Nad, "Normal", "R", "m", default);
        Assert.Empty(Events());
    }
}
