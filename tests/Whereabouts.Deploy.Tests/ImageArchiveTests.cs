using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Whereabouts.Deploy.Tests;

/// <summary>
/// The archive build/image.sh writes, read as `docker load` reads a docker-archive: manifest.json names the
/// config and the layers, and the config's rootfs.diff_ids are the sha256 of each (uncompressed) layer, which
/// the loader checks. Then what the layer holds: the four executables where the manifests run them, with
/// their modes, the users the controller runs as, and the shared libraries stored once.
/// </summary>
public sealed class ImageArchiveTests
{
    static readonly string Archive = Repo.Artifact("WHEREABOUTS_IMAGE_ARCHIVE", "image", "whereabouts.tar");

    static Dictionary<string, byte[]> Entries()
    {
        using var file = File.OpenRead(Archive);
        using var reader = new TarReader(file);
        var entries = new Dictionary<string, byte[]>();
        while (reader.GetNextEntry() is { } e)
        {
            if (e.DataStream is null) continue;
            using var copy = new MemoryStream();
            e.DataStream.CopyTo(copy);
            entries[e.Name.TrimStart('.', '/')] = copy.ToArray();
        }
        return entries;
    }

    sealed record LayerEntry(string Name, UnixFileMode Mode, int Uid, TarEntryType EntryType, string LinkName, long Length);

    static List<LayerEntry> LayerEntries(byte[] layer)
    {
        using var reader = new TarReader(new MemoryStream(layer));
        var entries = new List<LayerEntry>();
        while (reader.GetNextEntry(copyData: false) is { } e)
            entries.Add(new LayerEntry(e.Name, e.Mode, e.Uid, e.EntryType, e.LinkName, e.DataStream?.Length ?? 0));
        return entries;
    }

    [Fact]
    public void ItIsADockerArchiveWhoseLayerDigestsTheConfigNames()
    {
        var entries = Entries();
        var manifest = Assert.Single(JsonNode.Parse(entries["manifest.json"])!.AsArray())!;
        Assert.Equal(["localhost/whereabouts:dev"], manifest["RepoTags"]!.AsArray().Select(t => (string)t!));
        var config = JsonNode.Parse(entries[(string)manifest["Config"]!])!;
        Assert.Equal("sha256:" + Path.GetFileNameWithoutExtension((string)manifest["Config"]!), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(entries[(string)manifest["Config"]!])));
        var layers = manifest["Layers"]!.AsArray().Select(l => entries[(string)l!]).ToList();
        Assert.Equal(config["rootfs"]!["diff_ids"]!.AsArray().Select(d => (string)d!),
            layers.Select(l => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(l))));
        Assert.Equal("linux", (string?)config["os"]);
        Assert.Equal("amd64", (string?)config["architecture"]);
    }

    [Fact]
    public void TheLayerHoldsWhatTheManifestsRunWithTheirModes()
    {
        var entries = Entries();
        var manifest = JsonNode.Parse(entries["manifest.json"])![0]!;
        var layer = LayerEntries(entries[(string)manifest["Layers"]![0]!]).ToDictionary(e => e.Name.TrimStart('.', '/'));
        foreach (var exe in new[] { "opt/whereabouts/cni/whereabouts", "usr/local/bin/whereabouts-install",
                     "opt/whereabouts/node/whereabouts-node", "opt/whereabouts/controller/whereabouts-controller", "usr/bin/busybox" })
        {
            Assert.True(layer.ContainsKey(exe), exe);
            Assert.Equal((UnixFileMode)0x1ED, layer[exe].Mode & (UnixFileMode)0xFFF);
            Assert.Equal(0, layer[exe].Uid);
        }
        // The plugin in the image is the one test.sh published: the installer copies exactly these bytes.
        Assert.Equal(new FileInfo(Repo.Artifact("WHEREABOUTS_BINARY", "cni", "whereabouts")).Length, layer["opt/whereabouts/cni/whereabouts"].Length);
        // The controller runs as 65534 (deploy/controller.yaml), which /etc/passwd names nobody for busybox su.
        using (var reader = new TarReader(new MemoryStream(entries[(string)manifest["Layers"]![0]!])))
            while (reader.GetNextEntry() is { } e)
                if (e.Name.TrimStart('.', '/') == "etc/passwd")
                    Assert.Contains("nobody:x:65534:65534:", new StreamReader(e.DataStream!).ReadToEnd());
        // The agent's and controller's shared libraries are one file each, hard-linked.
        var link = layer["opt/whereabouts/node/KubernetesClient.dll"];
        Assert.Equal(TarEntryType.HardLink, link.EntryType);
        Assert.Equal("opt/whereabouts/controller/KubernetesClient.dll", link.LinkName.TrimStart('.', '/'));
        // Symbols and the debugger's native parts are not shipped.
        Assert.DoesNotContain(layer.Keys, k => k.EndsWith(".pdb", StringComparison.Ordinal) || k.EndsWith("libmscordbi.so", StringComparison.Ordinal));
    }
}
