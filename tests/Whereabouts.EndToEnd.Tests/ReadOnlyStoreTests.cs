using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// A file datastore on a read-only file system (a tmpfs mounted read-only by the test): every verb that writes
/// answers a CNI error naming the directory and the fix, where an unhandled exception used to abort the process.
/// </summary>
public sealed class ReadOnlyStoreTests : IDisposable
{
    readonly TempDir mount = new();

    public ReadOnlyStoreTests() => Run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mount.Path);

    public void Dispose()
    {
        Run("umount", mount.Path);
        mount.Dispose();
    }

    [Theory]
    [InlineData("ADD")]
    [InlineData("DEL")]
    public async Task AReadOnlyStoreDirectoryIsACniErrorNotACrash(string verb)
    {
        var dir = Path.Combine(mount.Path, "store");
        var run = await PluginBinary.Run(verb, PluginBinary.Conf("1.0.0", PluginBinary.FileIpam(dir)));
        Assert.Equal(1, run.ExitCode);
        var error = JsonNode.Parse(run.Stdout)!;
        Assert.Equal(50, (int)error["code"]!);
        Assert.Contains(dir, (string)error["msg"]!);
        Assert.Contains("writable", (string)error["msg"]!);
        Assert.DoesNotContain("Unhandled exception", run.Stderr);
    }

    static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}: {error}");
    }
}
