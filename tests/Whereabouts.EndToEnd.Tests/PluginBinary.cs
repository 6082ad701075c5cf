using System.Diagnostics;
using System.Text;

namespace Whereabouts.EndToEnd.Tests;

/// <summary>
/// The published Native AOT plugin, run as a real process with a CNI environment. Its path comes from
/// WHEREABOUTS_BINARY, else artifacts/cni/whereabouts at the repository root (what .ci/run publishes).
/// </summary>
public static class PluginBinary
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Path { get; } =
        Environment.GetEnvironmentVariable("WHEREABOUTS_BINARY") is { Length: > 0 } p ? p
        : System.IO.Path.Combine(RepoRoot, "artifacts", "cni", "whereabouts");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static ProcessStartInfo StartInfo(string command, string containerId, string ifName, string pod, Dictionary<string, string>? env = null)
    {
        if (!File.Exists(Path))
            throw new FileNotFoundException($"plugin binary not found at {Path}: run `dotnet publish src/Whereabouts.Plugin -c Release -o artifacts/cni` or set WHEREABOUTS_BINARY");
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var (ns, name) = pod.Contains('/') ? (pod.Split('/')[0], pod.Split('/')[1]) : ("", "");
        info.Environment["CNI_COMMAND"] = command;
        info.Environment["CNI_CONTAINERID"] = containerId;
        info.Environment["CNI_NETNS"] = "/var/run/netns/e2e";
        info.Environment["CNI_IFNAME"] = ifName;
        info.Environment["CNI_PATH"] = "/opt/cni/bin";
        info.Environment["CNI_ARGS"] = name.Length > 0 ? $"IgnoreUnknown=1;K8S_POD_NAMESPACE={ns};K8S_POD_NAME={name}" : "";
        // The tests' stores, kubeconfigs and TLS files live in temporary directories, which the default node
        // policy does not allow a NAD to name: the tests' own admin flat file allows every directory. Tests of
        // the policy itself pass their own WHEREABOUTS_FLAT_FILE.
        info.Environment["WHEREABOUTS_FLAT_FILE"] = AdminAllowingEverything;
        foreach (var (k, v) in env ?? []) info.Environment[k] = v;
        return info;
    }

    /// <summary>An admin flat file that lets a NAD name any directory (the tests' stores are temporary directories).</summary>
    public static string AdminAllowingEverything => AllowEverything.Value;

    static readonly Lazy<string> AllowEverything = new(() =>
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wb-e2e-admin-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var file = System.IO.Path.Combine(dir, "whereabouts.conf");
        File.WriteAllText(file, """
            {"allowed_configuration_dirs":["/"],"allowed_kubeconfig_dirs":["/"],"allowed_log_dirs":["/"],"allowed_file_store_dirs":["/"],"allowed_etcd_tls_dirs":["/"]}
            """);
        return file;
    });

    public static async Task<Result> Run(string command, string stdin, string containerId = "cid-1", string ifName = "net1",
        string pod = "default/pod-1", Dictionary<string, string>? env = null)
    {
        using var process = Process.Start(StartInfo(command, containerId, ifName, pod, env))!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, (await stdout).Trim(), await stderr);
    }

    public static string Conf(string cniVersion, string ipam, string extra = "") =>
        $$"""{"cniVersion":"{{cniVersion}}","name":"e2e","type":"macvlan"{{extra}},"ipam":{{ipam}}}""";

    public static string FileIpam(string dir, string range = "192.168.2.225/28", string more = "") =>
        $$"""{"type":"whereabouts","range":"{{range}}","datastore":"file","file":{"dir":"{{dir}}"}{{more}}}""";

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Whereabouts.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Whereabouts.sln)");
    }
}
