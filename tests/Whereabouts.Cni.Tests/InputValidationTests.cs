using System.Text.Json.Nodes;
using Whereabouts.Stores;
using Xunit;
using static Whereabouts.Cni.Tests.PluginHarness;

namespace Whereabouts.Cni.Tests;

/// <summary>Input the reference CNI library refuses is refused here too, with its code and an actionable message.</summary>
public sealed class InputValidationTests
{
    readonly PluginHarness plugin = new();

    static (int Code, string Msg, string Version) ErrorOf(string stdout)
    {
        var json = JsonNode.Parse(stdout)!;
        return (json["code"]!.GetValue<int>(), json["msg"]!.GetValue<string>() + " " + (json["details"]?.GetValue<string>() ?? ""), json["cniVersion"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\u0000")]
    [InlineData("relative/dir")]
    [InlineData("/var/lib/wb\u0000x")]
    public async Task AFileStoreDirectoryThatIsNotAnAbsolutePathIsErrorSeven(string dir)
    {
        var ipam = $$$"""{"type":"whereabouts","range":"10.9.0.0/24","datastore":"file","file":{"dir":{{{System.Text.Json.JsonSerializer.Serialize(dir)}}}}}""";
        var run = await plugin.Invoke("ADD", Conf("1.0.0", ipam));
        var (code, msg, _) = ErrorOf(run.Stdout);
        Assert.Equal((1, 7), (run.ExitCode, code));
        Assert.Contains("file.dir", msg);
        Assert.Contains("absolute path", msg);
        Assert.DoesNotContain("\u0000", run.Stdout);
    }

    [Fact]
    public async Task AnUnexpectedExceptionIsCode999NamingItsTypeAndMessage()
    {
        var vars = new Dictionary<string, string> { ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = "c1", ["CNI_NETNS"] = "/ns", ["CNI_IFNAME"] = "net1", ["CNI_PATH"] = "/opt/cni/bin" };
        StoreFactory broken = (_, _) => throw new InvalidDataException("the disk said no");
        var (code, stdout) = await Once(k => vars.GetValueOrDefault(k), Conf("1.0.0", BlogIpam), broken, _ => null);
        var (errorCode, msg, version) = ErrorOf(stdout);
        Assert.Equal((1, 999, "1.0.0"), (code, errorCode, version));
        Assert.Contains("InvalidDataException", msg);
        Assert.Contains("the disk said no", msg);
    }

    [Theory]
    [InlineData("DirectoryNotFoundException", "IO_PathNotFound_Path, /nope/dir", "no such directory: /nope/dir")]
    [InlineData("UnauthorizedAccessException", "Access to the path '/var/lib/wb' is denied.", "permission denied")]
    [InlineData("IOException", "IO_SharingViolation_File, /var/lib/wb/pool", "the operation failed: /var/lib/wb/pool")]
    public async Task AnIoFailureIsCodeFiveInOurOwnWords(string type, string runtimeMessage, string says)
    {
        Exception failure = type switch
        {
            "DirectoryNotFoundException" => new DirectoryNotFoundException(runtimeMessage),
            "UnauthorizedAccessException" => new UnauthorizedAccessException(runtimeMessage),
            _ => new IOException(runtimeMessage),
        };
        var vars = new Dictionary<string, string> { ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = "c1", ["CNI_NETNS"] = "/ns", ["CNI_IFNAME"] = "net1", ["CNI_PATH"] = "/opt/cni/bin" };
        var (code, stdout) = await Once(k => vars.GetValueOrDefault(k), Conf("1.0.0", BlogIpam), (_, _) => throw failure, _ => null);
        var (errorCode, msg, _) = ErrorOf(stdout);
        Assert.Equal((1, 5), (code, errorCode));
        Assert.Contains(says, msg);
        Assert.DoesNotContain("IO_", msg);
        if (type == "UnauthorizedAccessException") Assert.Contains("/var/lib/wb", msg);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("-leading-dash")]
    [InlineData("semi;colon")]
    [InlineData("slash/inside")]
    [InlineData("ünïcode")]
    public async Task AContainerIdWithCharactersTheReferenceRefusesIsErrorFour(string id)
    {
        var run = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), containerId: id);
        var (code, msg, _) = ErrorOf(run.Stdout);
        Assert.Equal((1, 4), (run.ExitCode, code));
        Assert.Contains("CNI_CONTAINERID", msg);
    }

    [Theory]
    [InlineData("a23456789012345x")] // 16 bytes
    [InlineData("ééééééééé")] // 9 characters, 18 bytes
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("net/1")]
    [InlineData("net:1")]
    [InlineData("net 1")]
    [InlineData("net\t1")]
    public async Task AnInterfaceNameTheKernelRefusesIsErrorFour(string ifName)
    {
        var run = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), ifName: ifName);
        var (code, msg, _) = ErrorOf(run.Stdout);
        Assert.Equal((1, 4), (run.ExitCode, code));
        Assert.Contains("CNI_IFNAME", msg);
    }

    [Theory]
    [InlineData("a23456789012345")] // 15 bytes: the longest allowed
    [InlineData("eth0.100")]
    [InlineData("net-1_x")]
    public async Task InterfaceNamesTheKernelTakesAreAccepted(string ifName)
    {
        var run = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), ifName: ifName);
        Assert.Equal(0, run.ExitCode);
    }

    [Theory]
    [InlineData("\"my net\"", 7, "network name")]
    [InlineData("\"-net\"", 7, "network name")]
    [InlineData("\"\"", 7, "\"name\"")]
    [InlineData("7", 6, "\"name\" must be a string")]
    [InlineData("{}", 6, "\"name\" must be a string")]
    public async Task TheNetworkNameIsValidatedAsTheReferenceDoes(string name, int expected, string says)
    {
        var stdin = $$"""{"cniVersion":"1.0.0","name":{{name}},"type":"macvlan","ipam":{{BlogIpam}}}""";
        var run = await plugin.Invoke("ADD", stdin);
        var (code, msg, _) = ErrorOf(run.Stdout);
        Assert.Equal((1, expected), (run.ExitCode, code));
        Assert.Contains(says, msg);
    }

    [Theory]
    [InlineData("1", 6)]
    [InlineData("1.0", 6)]
    [InlineData("[\"1.0.0\"]", 6)]
    [InlineData("true", 6)]
    [InlineData("\"\"", 0)]
    [InlineData("null", 0)]
    public async Task ANonStringCniVersionIsADecodingErrorWhileAnEmptyOneIsTheOldest(string version, int expected)
    {
        var stdin = $$"""{"cniVersion":{{version}},"name":"testnet","type":"macvlan","ipam":{{BlogIpam}}}""";
        var run = await plugin.Invoke("ADD", stdin);
        if (expected == 0)
        {
            Assert.Equal(0, run.ExitCode);
            Assert.Equal("0.1.0", JsonNode.Parse(run.Stdout)!["cniVersion"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal((1, expected), (run.ExitCode, ErrorOf(run.Stdout).Code));
            Assert.Contains("cniVersion", run.Stdout);
        }
    }

    [Fact]
    public async Task AMissingCniVersionKeyIsTheOldestVersion()
    {
        var run = await plugin.Invoke("ADD", $$"""{"name":"testnet","type":"macvlan","ipam":{{BlogIpam}}}""");
        Assert.Equal((0, "0.1.0"), (run.ExitCode, JsonNode.Parse(run.Stdout)!["cniVersion"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(";IP=10.9.0.5/999", "IP")]
    [InlineData(";IP=192.168.2.230/x", "IP")]
    [InlineData(";IP=zzz", "IP")]
    [InlineData(";GATEWAY=zzz", "GATEWAY")]
    [InlineData(";GATEWAY=192.168.2.300", "GATEWAY")]
    public async Task ABadIpOrGatewayInCniArgsIsErrorFourAndAllocatesNothing(string args, string key)
    {
        var run = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), "bad", pod: "default/bad", extraArgs: args);
        var (code, msg, _) = ErrorOf(run.Stdout);
        Assert.Equal((1, 4), (run.ExitCode, code));
        Assert.Contains($"CNI_ARGS {key}", msg);
        var next = await plugin.Invoke("ADD", Conf("1.0.0", BlogIpam), "good", pod: "default/good");
        Assert.Equal("192.168.2.225/28", JsonNode.Parse(next.Stdout)!["ips"]![0]!["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task ARuntimeConfigIpWithABadPrefixIsErrorSeven()
    {
        var conf = """{"cniVersion":"1.0.0","name":"testnet","type":"macvlan","runtimeConfig":{"ips":["192.168.2.230/99"]},"ipam":{"type":"whereabouts","range":"192.168.2.225/28","datastore":"file"}}""";
        var run = await plugin.Invoke("ADD", conf);
        Assert.Equal((1, 7), (run.ExitCode, ErrorOf(run.Stdout).Code));
    }

    [Theory]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    public async Task AnEnvironmentErrorIsRenderedInTheConfigsCniVersion(string version)
    {
        var run = await plugin.Invoke("ADD", Conf(version, BlogIpam), env: new() { ["CNI_NETNS"] = "" });
        var (code, _, rendered) = ErrorOf(run.Stdout);
        Assert.Equal((1, 4, version), (run.ExitCode, code, rendered));
    }

    [Fact]
    public async Task AConfigErrorReachesTheLogFile()
    {
        var log = Path.Combine(Path.GetTempPath(), $"wb-log-{Guid.NewGuid():N}.log");
        try
        {
            var ipam = $$"""{"type":"whereabouts","range":"10.9.0.0/33","datastore":"file","log_file":"{{log}}"}""";
            var run = await plugin.Invoke("ADD", Conf("1.0.0", ipam));
            Assert.Equal(1, run.ExitCode);
            var text = File.ReadAllText(log);
            Assert.Contains("[error]", text);
            Assert.Contains("code 7", text);
            Assert.Contains("/33", text);
        }
        finally { File.Delete(log); }
    }
}
