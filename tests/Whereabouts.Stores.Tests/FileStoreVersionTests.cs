using System.Numerics;
using CsCheck;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Engine;
using Whereabouts.Core.Pools;
using Whereabouts.Stores.FileStore;
using Xunit;

namespace Whereabouts.Stores.Tests;

/// <summary>
/// The file store's resourceVersion is a decimal counter of any length: a stored version past the range of
/// a 64-bit number is read, guards a write, and is followed by the next number, never by an overflow.
/// </summary>
public sealed class FileStoreVersionTests : IDisposable
{
    static readonly Cidr Range = Cidr.Parse("10.33.0.0/24").IfFail(default(Cidr));
    static readonly PoolKey Key = PoolKey.For(Range, "versions");
    static readonly Owner Pod = new("cid-a", "default/pod-a", "net1");

    readonly string dir = Path.Combine(Path.GetTempPath(), "wb-fileversion-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("99999999999999999999", "100000000000000000000")]
    [InlineData("9223372036854775807", "9223372036854775808")]
    [InlineData("18446744073709551615", "18446744073709551616")]
    public async Task AVersionPastSixtyFourBitsGuardsAWriteAndCountsOn(string stored, string next)
    {
        var store = new FilePoolStore(dir);
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreatePool(Key, PoolState.Empty(Range)), default));
        var file = Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories).Single(f => f.Contains(Key.Name, StringComparison.Ordinal));
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"resourceVersion\":\"1\"", $"\"resourceVersion\":\"{stored}\"", StringComparison.Ordinal));

        var read = await store.LoadPool(Key, default);
        Assert.Equal(stored, read.Version.IfNone(default(StoreVersion)).Value);
        Assert.Equal(ApplyResult.Conflict, await store.Apply(new StoreOp.ReplacePool(read with { Version = new StoreVersion("1") }, PoolState.Of(Range, [new Allocation(1, Pod)])), default));
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.ReplacePool(read, PoolState.Of(Range, [new Allocation(1, Pod)])), default));

        var after = await store.LoadPool(Key, default);
        Assert.Equal(next, after.Version.IfNone(default(StoreVersion)).Value);
        Assert.Equal(Pod, after.State.At(1)?.Owner);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("1e3")]
    public async Task AVersionThatIsNotACounterIsAnErrorNotACrash(string stored)
    {
        var store = new FilePoolStore(dir);
        Assert.Equal(ApplyResult.Applied, await store.Apply(new StoreOp.CreatePool(Key, PoolState.Empty(Range)), default));
        var file = Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories).Single(f => f.Contains(Key.Name, StringComparison.Ordinal));
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"resourceVersion\":\"1\"", $"\"resourceVersion\":\"{stored}\"", StringComparison.Ordinal));

        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.LoadPool(Key, default));
        Assert.False(e.Transient);
        Assert.Contains("resourceVersion", e.Message);
    }

    [Fact]
    public void NextVersionIsTheNumberPlusOne() =>
        Gen.Select(Gen.Int[0, 60], Gen.Char['0', '9'].Array[1, 40])
            .Sample((pad, digits) =>
            {
                var text = new string('0', pad % 3) + new string(digits);
                var expected = BigInteger.Parse(text, System.Globalization.CultureInfo.InvariantCulture) + 1;
                Assert.Equal(expected, BigInteger.Parse(StoredObject.NextVersion(text), System.Globalization.CultureInfo.InvariantCulture));
            });
}
