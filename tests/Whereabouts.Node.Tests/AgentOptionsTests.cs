using System.Collections.Immutable;
using Whereabouts.Core.Config;

namespace Whereabouts.Node.Tests;

/// <summary>The command line, and which datastore a request may name to be served rather than declined.</summary>
public sealed class AgentOptionsTests
{
    static AgentOptions Parsed(params string[] args) => AgentOptions.Parse(args).Options ?? throw new Xunit.Sdk.XunitException(AgentOptions.Parse(args).Error);

    [Theory]
    [InlineData("", "--datastore is required")]
    [InlineData("--datastore kubernetes", "--datastore kubernetes needs --kubeconfig")]
    [InlineData("--datastore etcd", "--datastore etcd needs --etcd-endpoints")]
    [InlineData("--datastore file", "--datastore file needs --file-dir")]
    [InlineData("--datastore mysql", "--datastore mysql: expected kubernetes, etcd or file")]
    [InlineData("--datastore file --file-dir /x --max-in-flight 0", "--max-in-flight 0: expected a positive integer")]
    [InlineData("--datastore file --file-dir", "--file-dir needs a value")]
    [InlineData("--datastore file --file-dir /x --verbose", "unknown option --verbose")]
    public void ABadCommandLineSaysWhatIsWrong(string args, string error)
    {
        var (options, message) = AgentOptions.Parse(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Null(options);
        Assert.StartsWith(error, message);
    }

    [Fact]
    public void OnlyTheDatastoreItWasStartedForIsServed()
    {
        var kube = Parsed("--datastore", "kubernetes", "--kubeconfig", "/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig");
        Assert.True(kube.Serves(new DatastoreSettings.Kubernetes("/etc/cni/net.d/whereabouts.d/../whereabouts.d/whereabouts.kubeconfig")));
        Assert.False(kube.Serves(new DatastoreSettings.Kubernetes("/tmp/other.kubeconfig")));
        Assert.False(kube.Serves(new DatastoreSettings.File("/var/lib/whereabouts")));

        var etcd = Parsed("--datastore", "etcd", "--etcd-endpoints", "http://10.0.0.1:2379,10.0.0.2");
        Assert.True(etcd.Serves(Etcd("10.0.0.2:2379", "https://10.0.0.1:2379/")));
        Assert.False(etcd.Serves(Etcd("10.0.0.1:2379")));
        Assert.False(etcd.Serves(Etcd("10.0.0.1:2379", "10.0.0.2:2379", "10.0.0.3:2379")));

        var file = Parsed("--datastore", "file", "--file-dir", "/var/lib/whereabouts/");
        Assert.True(file.Serves(new DatastoreSettings.File("/var/lib/whereabouts")));
        Assert.False(file.Serves(new DatastoreSettings.File("/var/lib/whereabouts-other")));
        Assert.False(file.Serves(new DatastoreSettings.Kubernetes("/var/lib/whereabouts")));
    }

    static DatastoreSettings.Etcd Etcd(params string[] endpoints) => new([.. endpoints], "", "", "", "", "");

    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        var o = Parsed("--datastore", "file", "--file-dir", "/d");
        Assert.Equal(("/run/whereabouts/node.sock", "127.0.0.1:9273", 1024, 1L << 20), (o.Socket, o.MetricsAddress, o.MaxInFlight, o.MaxRequestBytes));
    }

    [Fact]
    public void TheEqualsFormOfManifestsIsTaken()
    {
        var (o, error) = AgentOptions.Parse(["--datastore=kubernetes", "--in-cluster", "--kubeconfig=/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig"]);
        Assert.Equal("", error);
        Assert.Equal("kubernetes", o!.Datastore);
        Assert.Equal("/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig", o.Kubeconfig);
    }
}
