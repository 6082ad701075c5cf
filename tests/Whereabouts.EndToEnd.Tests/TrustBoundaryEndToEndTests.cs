using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using static Whereabouts.EndToEnd.Tests.PluginBinary;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The trust boundary through the published binary, as an attacker writing a NetworkAttachmentDefinition would
/// try it (docs/security.md): special files, symbolic links, other files of the node, another etcd endpoint
/// for the flat file's credentials, secrets in messages, and the modes of what the plugin creates.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TrustBoundaryEndToEndTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static int CodeOf(string stdout) => JsonNode.Parse(stdout)!["code"]!.GetValue<int>();
    static string TextOf(string stdout) => JsonNode.Parse(stdout) is { } e ? $"{e["msg"]} {e["details"]}" : "";

    string In(string name) => System.IO.Path.Combine(dir.Path, name);

    /// <summary>An admin flat file with <paramref name="json"/>, given to the plugin as the runtime would.</summary>
    Dictionary<string, string> Admin(string json)
    {
        var file = In("admin-whereabouts.conf");
        File.WriteAllText(file, json);
        return new() { ["WHEREABOUTS_FLAT_FILE"] = file, ["WHEREABOUTS_RETRY_DEADLINE_MS"] = "1500" };
    }

    /// <summary>The plugin, which must end by itself: a hang (the bug a FIFO caused) fails the test instead of stalling the run.</summary>
    static async Task<Result> RunToEnd(string command, string stdin, Dictionary<string, string>? env = null, bool umaskZero = false)
    {
        var info = StartInfo(command, "cid-1", "net1", "default/pod-1", env);
        if (umaskZero)
        {
            // umask is per process: set it in a shell that then becomes the plugin.
            info.ArgumentList.Add(info.FileName);
            info.FileName = "/bin/bash";
            info.ArgumentList.Insert(0, "-c");
            info.ArgumentList.Insert(1, "umask 0 && exec \"$0\"");
        }
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(guard.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the plugin did not finish {command}");
        }
        return new Result(process.ExitCode, (await stdout).Trim(), await stderr);
    }

    static void MkFifo(string path)
    {
        using var p = Process.Start("mkfifo", path)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    string Ipam(string more) => FileIpam(In("store"), more: more);

    [Fact]
    public async Task AFifoAsLogFileIsRefusedAtOnceNotWaitedOn()
    {
        MkFifo(In("fifo.log"));
        var run = await RunToEnd("ADD", Conf("1.0.0", Ipam($$""","log_file":"{{In("fifo.log")}}" """)));
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains($"cannot open {In("fifo.log")}: it is a FIFO", TextOf(run.Stdout));
    }

    [Fact]
    public async Task AFifoAsConfigurationPathIsRefusedAtOnceNotWaitedOn()
    {
        MkFifo(In("fifo.conf"));
        var run = await RunToEnd("ADD", Conf("1.0.0", Ipam($$""","configuration_path":"{{In("fifo.conf")}}" """)));
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains($"{In("fifo.conf")} is a FIFO, not a regular file", TextOf(run.Stdout));
    }

    [Fact]
    public async Task DevZeroAsConfigurationPathIsRefusedByTheDefaultPolicyAndAsADevice()
    {
        var conf = Conf("1.0.0", Ipam(""","configuration_path":"/dev/zero" """));
        var byPolicy = await RunToEnd("ADD", conf, Admin("{}"));
        Assert.Equal((1, 7), (byPolicy.ExitCode, CodeOf(byPolicy.Stdout)));
        Assert.Contains("configuration_path \"/dev/zero\" is not allowed", TextOf(byPolicy.Stdout));
        Assert.Contains("allowed_configuration_dirs", TextOf(byPolicy.Stdout));

        var allowed = await RunToEnd("ADD", conf); // the tests' admin allows every directory
        Assert.Equal((1, 7), (allowed.ExitCode, CodeOf(allowed.Stdout)));
        Assert.Contains("/dev/zero is a character device, not a regular file", TextOf(allowed.Stdout));
    }

    [Fact]
    public async Task AFileThatIsNotJsonIsNeverQuoted()
    {
        File.WriteAllText(In("shadow"), "root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n");
        var run = await RunToEnd("ADD", Conf("1.0.0", Ipam($$""","configuration_path":"{{In("shadow")}}" """)));
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains($"flat file {In("shadow")} is not valid JSON (line 1, byte 1 of the line); its content is not shown", TextOf(run.Stdout));
        Assert.DoesNotContain("root", run.Stdout + run.Stderr);
        Assert.DoesNotContain(", r ", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task ASymlinkedLogFileIsNotFollowed()
    {
        File.WriteAllText(In("victim"), "precious\n");
        File.CreateSymbolicLink(In("link.log"), In("victim"));
        var run = await RunToEnd("ADD", Conf("1.0.0", Ipam($$""","log_file":"{{In("link.log")}}","log_level":"debug" """)));
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains("symbolic link", TextOf(run.Stdout));
        Assert.Equal("precious\n", File.ReadAllText(In("victim")));
    }

    [Fact]
    public async Task ALogFileOutsideTheAllowedDirectoriesIsRefused()
    {
        File.Delete("/etc/whereabouts-test.log"); // a failed earlier run must not make this one fail
        var run = await RunToEnd("ADD", Conf("1.0.0", Ipam(""","log_file":"/etc/whereabouts-test.log" """)), Admin("""{"allowed_file_store_dirs":["/tmp"]}"""));
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains("log_file \"/etc/whereabouts-test.log\" is not allowed", TextOf(run.Stdout));
        Assert.False(File.Exists("/etc/whereabouts-test.log"));
    }

    /// <summary>Everything any connection to a loopback port sent, until stopped.</summary>
    sealed class CaptureServer : IAsyncDisposable
    {
        readonly TcpListener listener = new(IPAddress.Loopback, 0);
        readonly List<Task> readers = [];
        readonly StringBuilder received = new();
        readonly Task accepting;

        public CaptureServer()
        {
            listener.Start();
            accepting = Accept();
        }

        public string Endpoint => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

        async Task Accept()
        {
            try
            {
                while (true)
                {
                    var client = await listener.AcceptTcpClientAsync();
                    lock (readers) readers.Add(Read(client));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }

        async Task Read(TcpClient client)
        {
            using (client)
            {
                var buffer = new byte[4096];
                var stream = client.GetStream();
                try
                {
                    int n;
                    while ((n = await stream.ReadAsync(buffer)) > 0)
                        lock (received) received.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
                catch (IOException) { }
            }
        }

        /// <summary>Stops listening; call after the plugin has exited, so every connection it made is closed.</summary>
        public async Task<string> Received()
        {
            listener.Stop();
            await accepting;
            Task[] all;
            lock (readers) all = [.. readers];
            await Task.WhenAll(all);
            lock (received) return received.ToString();
        }

        public async ValueTask DisposeAsync() => await Received();
    }

    [Fact]
    public async Task TheFlatFilesEtcdCredentialsAreNotSentToAnEtcdHostTheNadNames()
    {
        await using var capture = new CaptureServer();
        var env = Admin("""{"datastore":"etcd","etcd_host":"127.0.0.1:9","etcd_username":"root","etcd_password":"FLATFILE-PASSWORD"}""");
        var run = await RunToEnd("ADD", Conf("1.0.0", $$"""{"type":"whereabouts","range":"10.9.0.0/24","etcd_host":"{{capture.Endpoint}}"}"""), env);
        var received = await capture.Received();
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains("the flat file's credentials are sent only to its own etcd_host", TextOf(run.Stdout));
        Assert.DoesNotContain("FLATFILE-PASSWORD", received);
        Assert.Equal("", received); // refused before connecting
        Assert.DoesNotContain("FLATFILE-PASSWORD", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task TheCredentialsOfAFlatFileTheNadSelectsAreNotSentToAnEtcdHostTheNadNames()
    {
        // The NAD picks an admin's flat file with configuration_path (allowed here) and points etcd_host at itself.
        await using var capture = new CaptureServer();
        File.WriteAllText(In("etcd.conf"), """{"datastore":"etcd","etcd_host":"127.0.0.1:9","etcd_username":"root","etcd_password":"FLATFILE-PASSWORD"}""");
        var env = Admin($$"""{"allowed_configuration_dirs":["{{dir.Path}}"]}""");
        var run = await RunToEnd("ADD", Conf("1.0.0", $$"""{"type":"whereabouts","range":"10.9.0.0/24","configuration_path":"{{In("etcd.conf")}}","etcd_host":"{{capture.Endpoint}}"}"""), env);
        var received = await capture.Received();
        Assert.DoesNotContain("FLATFILE-PASSWORD", received);
        Assert.Equal((1, 7), (run.ExitCode, CodeOf(run.Stdout)));
        Assert.Contains($"etcd_username, etcd_password come from the flat file {In("etcd.conf")}", TextOf(run.Stdout));
    }

    [Fact]
    public async Task TheCaptureServerSeesAPasswordThatIsSent()
    {
        // The control for the test above: a NAD's own credentials do go to the NAD's own endpoint.
        await using var capture = new CaptureServer();
        var env = Admin("{}");
        var run = await RunToEnd("ADD", Conf("1.0.0", $$"""{"type":"whereabouts","range":"10.9.0.0/24","datastore":"etcd","etcd_host":"{{capture.Endpoint}}","etcd_username":"nad","etcd_password":"NAD-OWN-PASSWORD"}"""), env);
        var received = await capture.Received();
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("NAD-OWN-PASSWORD", received);
        Assert.DoesNotContain("NAD-OWN-PASSWORD", run.Stdout + run.Stderr);
    }

    [Fact]
    public async Task NoSecretInAnyMessage()
    {
        var log = In("wb.log");
        var run = await RunToEnd("ADD", Conf("1.0.0",
            $$"""{"type":"whereabouts","range":"10.9.0.0/24","datastore":"etcd","etcd_host":"http://user:URL-PASSWORD@127.0.0.1:9","log_file":"{{log}}","log_level":"debug"}"""));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("***@127.0.0.1:9", TextOf(run.Stdout));
        Assert.DoesNotContain("URL-PASSWORD", run.Stdout + run.Stderr + (File.Exists(log) ? File.ReadAllText(log) : ""));
    }

    [Fact]
    public async Task ASymlinkAtTheTemporaryFileIsRemovedNotWrittenThrough()
    {
        var store = In("store");
        Directory.CreateDirectory(System.IO.Path.Combine(store, "pools"));
        File.WriteAllText(In("victim"), "precious\n");
        var temp = System.IO.Path.Combine(store, "pools", "192.168.2.224-28.json.tmp");
        File.CreateSymbolicLink(temp, In("victim"));
        var run = await RunToEnd("ADD", Conf("1.0.0", Ipam("")));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("precious\n", File.ReadAllText(In("victim")));
        Assert.Single(StoredPools.Allocations(store, "192.168.2.224-28"));
        Assert.False(File.Exists(temp) || new FileInfo(temp).LinkTarget is not null);
    }

    [Fact]
    public async Task ASymlinkAtTheLockFileIsRefusedNotWrittenThrough()
    {
        var store = In("store");
        Directory.CreateDirectory(store);
        File.WriteAllText(In("victim"), "precious\n");
        File.CreateSymbolicLink(System.IO.Path.Combine(store, ".lock"), In("victim"));
        var run = await RunToEnd("ADD", Conf("1.0.0", Ipam("")));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(".lock: it is a symbolic link", TextOf(run.Stdout));
        Assert.Equal("precious\n", File.ReadAllText(In("victim")));
    }

    [Fact]
    public async Task WhatThePluginCreatesIsOwnerOnlyEvenUnderUmaskZero()
    {
        var store = In("new/store");
        var log = In("wb.log");
        var run = await RunToEnd("ADD", Conf("1.0.0", FileIpam(store, more: $$""","log_file":"{{log}}","log_level":"verbose" """)), umaskZero: true);
        Assert.Equal(0, run.ExitCode);
        const UnixFileMode Dir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode Data = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(Dir, File.GetUnixFileMode(In("new")));
        Assert.Equal(Dir, File.GetUnixFileMode(store));
        Assert.Equal(Dir, File.GetUnixFileMode(System.IO.Path.Combine(store, "pools")));
        Assert.Equal(Dir, File.GetUnixFileMode(System.IO.Path.Combine(store, "reservations")));
        Assert.Equal(Data, File.GetUnixFileMode(System.IO.Path.Combine(store, ".lock")));
        Assert.Equal(Data, File.GetUnixFileMode(System.IO.Path.Combine(store, "pools", "192.168.2.224-28.json")));
        Assert.All(Directory.GetFiles(System.IO.Path.Combine(store, "reservations")), f => Assert.Equal(Data, File.GetUnixFileMode(f)));
        Assert.Equal(Data, File.GetUnixFileMode(log));
    }

    [Fact]
    public async Task StatusSweepsOnlyOurOwnStaleTemporaryFiles()
    {
        var store = In("store");
        var pools = System.IO.Path.Combine(store, "pools");
        Directory.CreateDirectory(pools);
        string Make(string name, bool old)
        {
            var path = System.IO.Path.Combine(pools, name);
            File.WriteAllText(path, "{");
            if (old) File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
            return path;
        }
        var killedOld = Make("a-24.json.4242.tmp", old: true);
        var killedNew = Make("b-24.json.tmp", old: true);
        var live = Make("c-24.json.tmp", old: false);
        var notOurs = Make("notes.tmp", old: true);
        var run = await RunToEnd("STATUS", Conf("1.1.0", Ipam("")));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal((false, false, true, true), (File.Exists(killedOld), File.Exists(killedNew), File.Exists(live), File.Exists(notOurs)));
    }
}
