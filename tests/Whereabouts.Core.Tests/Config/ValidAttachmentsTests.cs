using LanguageExt;
using Whereabouts.Core.Config;

namespace Whereabouts.Core.Tests.Config;

/// <summary>
/// cni.dev/valid-attachments, GC's list of attachments still in use: anything but an array of objects with a
/// string "containerID" and "ifname" is code 7 (the runtime's GC would otherwise release live addresses); keys
/// match as Go's encoding/json matches them, case-insensitively with the last duplicate winning.
/// </summary>
public sealed class ValidAttachmentsTests
{
    static string Conf(string member) =>
        $$$"""{"cniVersion":"1.1.0","name":"net","type":"macvlan",{{{member}}}"ipam":{"type":"whereabouts","range":"10.0.0.0/24"}}""";

    static Fin<string> Listed(string member) =>
        ConfigParser.ParseNetwork(Conf(member)).ThrowIfFail().ValidAttachments
            .Map(list => string.Join(",", list.Map(a => $"{a.ContainerId}/{a.IfName}")));

    [Theory]
    [InlineData("", "GC needs \"cni.dev/valid-attachments\"")]
    [InlineData("\"cni.dev/valid-attachments\": null,", "must be an array")]
    [InlineData("\"cni.dev/valid-attachments\": \"c1\",", "not a string")]
    [InlineData("\"cni.dev/valid-attachments\": {\"containerID\":\"c1\",\"ifname\":\"net1\"},", "not an object")]
    [InlineData("\"cni.dev/valid-attachments\": 7,", "not a number")]
    [InlineData("\"cni.dev/valid-attachments\": [\"c1\"],", "entry 0 is a string, not an object")]
    [InlineData("\"cni.dev/valid-attachments\": [{\"containerID\":\"c1\",\"ifname\":\"net1\"}, null],", "entry 1 is null, not an object")]
    [InlineData("\"cni.dev/valid-attachments\": [{\"containerID\":\"c1\"}],", "entry 0 has no string \"ifname\"")]
    [InlineData("\"cni.dev/valid-attachments\": [{\"ifname\":\"net1\"}],", "entry 0 has no string \"containerID\"")]
    [InlineData("\"cni.dev/valid-attachments\": [{\"containerID\":5,\"ifname\":\"net1\"}],", "entry 0 has no string \"containerID\"")]
    [InlineData("\"cni.dev/valid-attachments\": [{\"containerID\":\"c1\",\"ifname\":null}],", "entry 0 has no string \"ifname\"")]
    [InlineData("\"cni.dev/valid-attachments\": [{\"container_id\":\"c1\",\"ifname\":\"net1\"}],", "entry 0 has no string \"containerID\"")]
    // U+0131 (dotless i) upper-cases to I in .NET, but Go's case folding does not take it for i.
    [InlineData("\"cni.dev/valid-attachments\": [{\"conta\u0131nerID\":\"c1\",\"ifname\":\"net1\"}],", "entry 0 has no string \"containerID\"")]
    // A later good value does not undo an earlier bad one (Go reports the type error too).
    [InlineData("\"cni.dev/valid-attachments\": \"c1\", \"cni.dev/valid-attachments\": [],", "not a string")]
    public void AMissingOrMalformedListIsAnInvalidConfiguration(string member, string expected)
    {
        var error = Listed(member).Match(Succ: s => throw new Xunit.Sdk.XunitException($"accepted as \"{s}\""), Fail: e => e);
        Assert.Equal(Errors.InvalidConfigCode, error.Code);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ManyBadEntriesAreCountedNotAllListed()
    {
        var error = Listed($"\"cni.dev/valid-attachments\": [{string.Join(",", Enumerable.Repeat("1", 40))}],").Match(Succ: s => throw new Xunit.Sdk.XunitException(s), Fail: e => e);
        Assert.Contains("entry 4 is a number", error.Message);
        Assert.DoesNotContain("entry 5 ", error.Message);
        Assert.Contains("and 35 more", error.Message);
    }

    [Theory]
    [InlineData("\"cni.dev/valid-attachments\": [],", "")]
    [InlineData("\"cni.dev/valid-attachments\": [{\"containerID\":\"c1\",\"ifname\":\"net1\",\"extra\":{\"a\":[1]}}],", "c1/net1")]
    // Go's decoder matches field names case-insensitively: "containerId" is libcni's "containerID".
    [InlineData("\"cni.dev/valid-attachments\": [{\"containerId\":\"c1\",\"IFNAME\":\"net1\"}],", "c1/net1")]
    [InlineData("\"CNI.dev/Valid-Attachments\": [{\"containerID\":\"c1\",\"ifname\":\"net1\"}],", "c1/net1")]
    // U+017F (long s) folds to s in Go, as U+212A (Kelvin) folds to k.
    [InlineData("\"cni.dev/valid-attachment\u017F\": [{\"containerID\":\"c1\",\"ifname\":\"net1\"}],", "c1/net1")]
    // Duplicates: the last one wins, for fields and for the list.
    [InlineData("\"cni.dev/valid-attachments\": [{\"containerID\":\"c1\",\"containerid\":\"c2\",\"ifname\":\"net1\"}],", "c2/net1")]
    [InlineData("\"cni.dev/valid-attachments\": [], \"cni.dev/valid-attachments\": [{\"containerID\":\"c3\",\"ifname\":\"eth0\"}],", "c3/eth0")]
    public void AWellFormedListIsReadAsGosDecoderReadsIt(string member, string expected) =>
        Assert.Equal(expected, Listed(member).ThrowIfFail());

    [Fact]
    public void OnlyGcNeedsTheList()
    {
        var parsed = ConfigParser.ParseNetwork(Conf("\"cni.dev/valid-attachments\": \"junk\","));
        Assert.True(parsed.IsSucc, "ADD and DEL read the configuration without the list");
    }
}
