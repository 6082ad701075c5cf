using Whereabouts.Core.Config;
using static Whereabouts.Core.Tests.Config.ConfigText;

namespace Whereabouts.Core.Tests.Config;

/// <summary>JSON syntax errors in our own words with line and column, never the runtime's resource keys.</summary>
public sealed class JsonErrorTests
{
    static (int Code, string Message) ErrorOf(string stdin) =>
        ConfigParser.ParseNetwork(stdin).Match(_ => (0, ""), e => (e.Code, e.Message));

    [Theory]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","ipam":{"range":"10.0.0.0/24",}}""", "at line 1, column 64, near \":{\"range\":\"10.0.0.0/24\",}}\"")]
    [InlineData("""{"cniVersion":"1.0.0",""", "at line 1, column 22, near \"{\"cniVersion\":\"1.0.0\",\" (the text ends before the JSON is complete)")]
    [InlineData("{\n  \"cniVersion\": \"1.0.0\",\n  \"name\": n\n}", "at line 3, column 12, near \"\"name\": n\"")]
    [InlineData("""{"cniVersion":"1.0.0"} trailing""", "at line 1, column 24, near \"{\"cniVersion\":\"1.0.0\"} trailing\"")]
    [InlineData("{\"name\": \"a\u0001b\"}", "at line 1, column")]
    public void ASyntaxErrorIsCodeSixWithLineAndColumn(string stdin, string says)
    {
        var (code, message) = ErrorOf(stdin);
        Assert.Equal(Errors.DecodeFailureCode, code);
        Assert.True(message.Contains("not valid JSON " + says, StringComparison.Ordinal), message);
        Assert.DoesNotContain("LineNumber", message);
        Assert.DoesNotContain("BytePositionInLine", message);
    }

    [Fact]
    public void ALoneSurrogateEscapeIsCodeSixNotACrash()
    {
        var (code, message) = ErrorOf("""{"cniVersion":"1.0.0","name":"\ud800","ipam":{}}""");
        Assert.Equal(Errors.DecodeFailureCode, code);
        Assert.True(message.Contains("at line 1, column 30", StringComparison.Ordinal), message);
        Assert.Contains("lone surrogate", message);
    }

    [Fact]
    public void ALoneSurrogateInTheIpamObjectIsCodeSixToo()
    {
        var (code, _) = ErrorOf(Network("\"range\": \"\\udc00\""));
        Assert.Equal(Errors.DecodeFailureCode, code);
    }

    [Fact]
    public void AFlatFileSyntaxErrorNamesLineAndColumn()
    {
        var result = IpamReader.Read("{\n\"range\": \"10.0.0.0/24\",\n}"u8);
        var message = result.Match(_ => "", e => e.Message);
        Assert.Equal("it is not valid JSON at line 3, column 1, near \"}\"", message);
    }

    [Fact]
    public void DeepNestingIsCodeSix()
    {
        var deep = "{\"cniVersion\":\"1.0.0\",\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.Equal(Errors.DecodeFailureCode, ErrorOf(deep).Code);
    }
}
