namespace Whereabouts.Controller.Tests;

public sealed class ControllerOptionsTests
{
    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        var (o, error) = ControllerOptions.Parse(["--in-cluster"]);
        Assert.Equal("", error);
        Assert.NotNull(o);
        Assert.Equal(("kubernetes", "0.0.0.0:9274", "whereabouts-controller"), (o.Datastore, o.MetricsAddress, o.LeaseName));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)), (o.SweepInterval, o.GracePeriod));
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)), (o.LeaseDuration, o.RenewDeadline, o.RetryPeriod));
        Assert.True(o.NodeSlices);
        Assert.Equal("kube-system", o.EffectiveLeaseNamespace("kube-system"));
    }

    [Theory]
    [InlineData(new string[0], "--in-cluster or --kubeconfig is required")]
    [InlineData(new[] { "--in-cluster", "--datastore", "file" }, "expected kubernetes or etcd")]
    [InlineData(new[] { "--in-cluster", "--datastore", "etcd" }, "--datastore etcd needs --etcd-endpoints")]
    [InlineData(new[] { "--in-cluster", "--lease-duration-ms", "5000", "--renew-deadline-ms", "5000" }, "must be shorter than --lease-duration-ms")]
    [InlineData(new[] { "--in-cluster", "--sweep-interval-ms", "0" }, "expected a positive integer")]
    [InlineData(new[] { "--in-cluster", "--grace-period-ms" }, "needs a value")]
    [InlineData(new[] { "--in-cluster", "--bogus" }, "unknown option --bogus")]
    public void MistakesAreNamed(string[] args, string message)
    {
        var (o, error) = ControllerOptions.Parse(args);
        Assert.Null(o);
        Assert.Contains(message, error);
    }

    [Fact]
    public void TimingsAndEtcdAreTaken()
    {
        var (o, _) = ControllerOptions.Parse(["--kubeconfig", "/k", "--datastore", "etcd", "--etcd-endpoints", "a:1, b:2", "--sweep-interval-ms", "1500",
            "--grace-period-ms", "250", "--lease-namespace", "leases", "--identity", "me", "--no-node-slices"]);
        Assert.NotNull(o);
        Assert.Equal(["a:1", "b:2"], o.EtcdEndpoints.ToArray());
        Assert.Equal((TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(250)), (o.SweepInterval, o.GracePeriod));
        Assert.Equal(("leases", "me", false), (o.EffectiveLeaseNamespace("kube-system"), o.EffectiveIdentity(), o.NodeSlices));
    }

    [Fact]
    public void TheEqualsFormOfManifestsIsTaken()
    {
        var (o, error) = ControllerOptions.Parse(["--in-cluster", "--metrics-address=127.0.0.1:9999", "--sweep-interval-ms=1500"]);
        Assert.Equal("", error);
        Assert.Equal("127.0.0.1:9999", o!.MetricsAddress);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), o.SweepInterval);
    }
}
