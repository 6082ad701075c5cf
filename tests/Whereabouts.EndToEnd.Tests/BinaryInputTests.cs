using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// Bad and big input through the published AOT binary, which is built with UseSystemResourceKeys: its runtime
/// messages are resource keys, so only the binary shows whether a message is in our own words.
/// </summary>
public sealed class BinaryInputTests : IDisposable
{
    readonly TempDir store = new();

    public void Dispose() => store.Dispose();

    static (int Code, string Text) ErrorOf(string stdout)
    {
        var json = JsonNode.Parse(stdout)!;
        return (json["code"]!.GetValue<int>(), json["msg"]!.GetValue<string>() + " " + (json["details"]?.GetValue<string>() ?? ""));
    }

    [Fact]
    public async Task ATrailingCommaNamesLineAndColumnNotAResourceKey()
    {
        var run = await Run("ADD", """{"cniVersion":"1.0.0","name":"n","ipam":{"type":"whereabouts","range":"10.0.0.0/24",}}""");
        var (code, text) = ErrorOf(run.Stdout);
        Assert.Equal((1, 6), (run.ExitCode, code));
        Assert.Contains("not valid JSON at line 1, column 85", text);
        Assert.DoesNotContain("TrailingComma", text);
        Assert.DoesNotContain("BytePositionInLine", text);
    }

    [Fact]
    public async Task ANulStoreDirectoryIsErrorSevenNotAnAbort()
    {
        var run = await Run("ADD", Conf("1.0.0", """{"type":"whereabouts","range":"10.0.0.0/24","datastore":"file","file":{"dir":"\u0000"}}"""));
        var (code, text) = ErrorOf(run.Stdout);
        Assert.Equal((1, 7), (run.ExitCode, code));
        Assert.Contains("file.dir", text);
    }

    [Fact]
    public async Task TwoThousandOverlappingRangesGiveAShortError()
    {
        var ranges = string.Join(",", Enumerable.Repeat("""{"range":"10.0.0.0/24"}""", 2000));
        var run = await Run("ADD", Conf("1.0.0", $$"""{"type":"whereabouts","datastore":"file","file":{"dir":"{{store.Path}}"},"ipRanges":[{{ranges}}]}"""));
        var (code, text) = ErrorOf(run.Stdout);
        Assert.Equal((1, 7), (run.ExitCode, code));
        Assert.Contains("… and 1,979 more", text);
        Assert.True(run.Stdout.Length < 8_000, $"{run.Stdout.Length} bytes");
    }

    [Fact]
    public async Task AMisspeltKeyIsRefusedWithTheSuggestion()
    {
        var run = await Run("ADD", Conf("1.0.0", FileIpam(store.Path, more: ""","exlude":["192.168.2.225"]""")));
        var (code, text) = ErrorOf(run.Stdout);
        Assert.Equal((1, 7), (run.ExitCode, code));
        Assert.Contains("unknown key \"exlude\": did you mean \"exclude\"?", text);
    }

    [Fact]
    public async Task AnInvalidInterfaceNameIsErrorFourInTheConfigsVersion()
    {
        var run = await Run("ADD", Conf("0.4.0", FileIpam(store.Path)), ifName: "a234567890123456");
        var json = JsonNode.Parse(run.Stdout)!;
        Assert.Equal((1, 4, "0.4.0"), (run.ExitCode, json["code"]!.GetValue<int>(), json["cniVersion"]!.GetValue<string>()));
    }
}
