namespace Whereabouts.Installer.Tests;

public sealed class InstallerOptionsTests
{
    static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    static readonly Func<string, string?> InCluster = Env(("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"));

    [Fact]
    public void TheDefaultsAreUpstreamsPathsAsMountedInThePod()
    {
        var (o, error) = InstallerOptions.Parse([], InCluster);
        Assert.Equal("", error);
        Assert.Equal("/host/opt/cni/bin/whereabouts", o!.PluginTarget);
        Assert.Equal("/host/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig", o.KubeconfigPath);
        Assert.Equal("/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig", o.HostKubeconfigPath);
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount", o.ServiceAccountDir);
        Assert.False(o.Watch);
    }

    [Fact]
    public void FlagsWinOverTheEnvironment()
    {
        var env = Env(("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("WHEREABOUTS_CNI_BIN_DIR", "/from/env"), ("NODENAME", "env-node"), ("WHEREABOUTS_NAMESPACE", "ns-env"));
        var (o, _) = InstallerOptions.Parse(["--cni-bin-dir", "/from/flag", "--watch", "--poll-seconds", "2"], env);
        Assert.Equal("/from/flag", o!.CniBinDir);
        Assert.Equal("env-node", o.NodeName);
        Assert.Equal("ns-env", o.Namespace);
        Assert.True(o.Watch);
        Assert.Equal(TimeSpan.FromSeconds(2), o.PollInterval);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown option --bogus")]
    [InlineData(new[] { "--cni-bin-dir" }, "--cni-bin-dir needs a value")]
    [InlineData(new[] { "--poll-seconds", "0" }, "expected a positive integer")]
    [InlineData(new[] { "--watch", "--uninstall" }, "exclude each other")]
    public void BadFlagsSayWhatIsWrong(string[] args, string expected)
    {
        var (o, error) = InstallerOptions.Parse(args, InCluster);
        Assert.Null(o);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void OutsideAPodTheApiServerMustBeNamed()
    {
        var (o, error) = InstallerOptions.Parse([], Env());
        Assert.Null(o);
        Assert.Contains("KUBERNETES_SERVICE_HOST", error);
        Assert.NotNull(InstallerOptions.Parse(["--uninstall"], Env()).Options);
    }

    [Fact]
    public void TheEqualsFormOfManifestsIsTaken()
    {
        var (o, error) = InstallerOptions.Parse(["--cni-bin-dir=/x/bin", "--poll-seconds=3"], InCluster);
        Assert.Equal("", error);
        Assert.Equal("/x/bin", o!.CniBinDir);
        Assert.Equal(TimeSpan.FromSeconds(3), o.PollInterval);
    }
}
