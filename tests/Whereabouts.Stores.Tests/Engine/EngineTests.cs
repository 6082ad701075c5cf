using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Stores.Memory;
using Xunit;

namespace Whereabouts.Stores.Tests.Engine;

/// <summary>
/// Allocator, Releaser and Checker on hand-written examples, their ADDs run through the real loop over the
/// in-memory store. This file holds the helpers; the examples are in EngineTests.*.cs, by topic.
/// </summary>
public sealed partial class EngineTests
{
    static Cidr C(string text) => Cidr.Parse(text).ThrowIfFail();

    static Address A(string text) => Address.Parse(text).ThrowIfFail();

    static readonly Owner PodA = new("sandbox-1", "default/pod-a", "net1");
    static readonly Owner PodB = new("sandbox-2", "default/pod-b", "net1");

    static NetworkScope Scope(bool overlapping = true, string network = "", params RangeSpec[] ranges) =>
        new([.. ranges], network, overlapping);

    static NetworkScope Scope(params string[] ranges) => Scope(true, "", ranges.Select(r => RangeSpec.Of(C(r))).ToArray());

    static RangeSpec Sliced(string range, string slice, string node) => RangeSpec.Of(C(range)).InSlice(new NodeSlice(C(slice), node));

    static ImmutableArray<Lease> Leases(Plan plan) => Assert.IsType<Outcome.Allocated>(plan.Outcome).Leases;

    /// <summary>
    /// ADD through the real loop by a shell that has read every reservation: it must be written on the first
    /// attempt (nothing runs at the same time). Returns the plan the loop wrote.
    /// </summary>
    static async Task<Plan> Add(InMemoryPoolStore store, Owner owner, NetworkScope scope, params string[] requested)
    {
        var request = new AddRequest(owner, scope, requested.Select(A).ToImmutableArray());
        var run = await RealShell.Add(store, request, await store.AllReservations());
        Assert.True(run.Result.IsSucc, $"ADD {owner} failed: {run.Result}");
        Assert.Equal(1, run.Decisions);
        return run.Plan!;
    }

    static async Task Applies(InMemoryPoolStore store, Plan plan) => Assert.IsType<Execution.Completed>(await store.Execute(plan));
}
