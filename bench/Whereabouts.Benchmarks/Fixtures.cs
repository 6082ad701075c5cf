using System.Collections.Immutable;
using System.Text;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Core.Ranges;
using Whereabouts.Core.Sets;
using static LanguageExt.Prelude;

namespace Whereabouts.Benchmarks;

/// <summary>
/// The inputs of the benchmarks, built deterministically. The pool JSON is written with a StringBuilder, not
/// with PoolCodec or System.Text.Json, so that building it does not warm up (JIT) the code the cold-start
/// measurement times.
/// </summary>
public static class Fixtures
{
    public const string V4Range = "10.0.0.0/16";
    public const string V6Range = "fd00:0:0:10::/64";

    /// <summary>Usable offsets of a /16: 1 … 65,534.</summary>
    public const int V4Usable = 65_534;

    /// <summary>The one free offset of scenario 1, near the end of the /16 (10.0.255.250).</summary>
    public const int V4FreeOffset = 65_530;

    public const int V6Taken = 1_000_000;

    /// <summary>Allocations in scenario 3's pool.</summary>
    public const int PoolSize = 10_000;

    public static Cidr ParseCidr(string text) => Get(CidrParser.Parse(text), text);

    public static IntervalSet AllocatableOf(string cidr) => Get(Allocatable.Of(RangeSpec.Of(ParseCidr(cidr))), cidr);

    /// <summary>1 … 65,534 except <see cref="V4FreeOffset"/>: 65,533 offsets.</summary>
    public static UInt128[] V4AllButOne()
    {
        var offsets = new UInt128[V4Usable - 1];
        var n = 0;
        for (var o = 1; o <= V4Usable; o++)
            if (o != V4FreeOffset) offsets[n++] = (UInt128)o;
        return offsets;
    }

    /// <summary>1 … <paramref name="count"/>, ascending.</summary>
    public static UInt128[] Sequential(int count)
    {
        var offsets = new UInt128[count];
        for (var i = 0; i < count; i++) offsets[i] = (UInt128)(i + 1);
        return offsets;
    }

    /// <summary>
    /// <paramref name="count"/> allocations at offsets 1 … count with realistic owners: a 64-hex container ID,
    /// "namespace/pod-N" and "net1", in the stored shape (offsets as JSON object keys).
    /// </summary>
    public static Allocation[] Allocations(int count)
    {
        var list = new Allocation[count];
        for (var i = 0; i < count; i++) list[i] = new Allocation((UInt128)(i + 1), OwnerOf(i));
        return list;
    }

    public static Owner OwnerOf(int i) => new(ContainerId(i), $"default/pod-{i}", "net1");

    static string ContainerId(int i) => ((ulong)i * 0x9E3779B97F4A7C15UL).ToString("x16") + "0123456789abcdef0123456789abcdef" + i.ToString("x16");

    /// <summary>An IPPool spec with <paramref name="count"/> allocations, as a store would hand it over.</summary>
    public static byte[] PoolJson(string range, int count)
    {
        var sb = new StringBuilder(count * 140);
        sb.Append("{\"range\":\"").Append(range).Append("\",\"allocations\":{");
        for (var i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append('"').Append(i + 1).Append("\":{\"id\":\"").Append(ContainerId(i))
              .Append("\",\"podref\":\"default/pod-").Append(i).Append("\",\"ifname\":\"net1\"}");
        }
        sb.Append("}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static PoolKey KeyOf(string range) => PoolKey.For(ParseCidr(range), "");

    /// <summary>ADD for a pod that holds nothing yet, on one range, overlapping-range reservations enabled (the default).</summary>
    public static AddRequest NewPodAdd(string range) =>
        new(new Owner("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "default/new-pod", "net1"),
            new NetworkScope([RangeSpec.Of(ParseCidr(range))], "", OverlappingRanges: true),
            ImmutableArray<Address>.Empty);

    /// <summary>Scenario 3 end to end: decode the stored pool, decide the ADD, encode the pool to write back.</summary>
    public static byte[] DecodeDecideEncode(byte[] json, PoolKey key, AddRequest request)
    {
        var state = Get(PoolCodec.Decode(key.Name, json), "decode");
        var plan = Decide(key, state, request);
        return PoolCodec.Encode(NextOf(plan));
    }

    public static Plan Decide(PoolKey key, PoolState state, AddRequest request)
    {
        var snapshot = new PoolSnapshot(key, Some(new StoreVersion("12345")), state);
        return Get(Allocator.Decide(request, [snapshot], KnownReservations.None), "decide");
    }

    public static PoolState NextOf(Plan plan)
    {
        foreach (var op in plan.Ops)
            if (op is StoreOp.ReplacePool replace) return replace.Next;
        throw new InvalidOperationException("the plan replaces no pool");
    }

    public static T Get<T>(Fin<T> fin, string what) =>
        fin.Match(v => v, e => throw new InvalidOperationException($"{what}: {e.Message}"));
}
