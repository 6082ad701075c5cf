using System.Collections.Immutable;
using System.Text;
using LanguageExt;
using Whereabouts.Core.Config;

namespace Whereabouts.Core.Tests.Config;

/// <summary>
/// What a NetworkAttachmentDefinition may name on the node (docs/security.md): paths inside the admin's allowed
/// directories, endpoints the admin allows, and never the flat file's etcd credentials sent to its own endpoint.
/// </summary>
public sealed class TrustBoundaryTests
{
    static IpamDto Dto(string json) => IpamReader.Read(Encoding.UTF8.GetBytes(json)).ThrowIfFail();

    static Fin<ImmutableArray<NamedPath>> Check(string inline, string? flat = null, AdminPolicy? policy = null) =>
        TrustBoundary.Check(Dto(inline), flat is null ? Option<IpamDto>.None : Dto(flat), policy ?? AdminPolicy.Default, "/etc/cni/net.d/whereabouts.d/whereabouts.conf");

    static string Refusal<T>(Fin<T> result)
    {
        Assert.True(result.IsFail, "expected a refusal");
        var error = result.Match(Succ: _ => throw new InvalidOperationException(), Fail: e => e);
        Assert.Equal(Errors.InvalidConfigCode, error.Code);
        return error.Message;
    }

    [Fact]
    public void UpstreamsDocumentedPathsAreAllowedByDefault()
    {
        var named = Check("""
            {"kubernetes":{"kubeconfig":"/etc/cni/net.d/whereabouts.d/whereabouts.kubeconfig"},"log_file":"/tmp/whereabouts.log",
             "file":{"dir":"/var/lib/cni/whereabouts"},"configuration_path":"/etc/cni/net.d/whereabouts.d/whereabouts.conf"}
            """).ThrowIfFail();
        Assert.Equal(["log_file", "kubernetes.kubeconfig", "file.dir"], named.Select(n => n.Key));
        Assert.True(TrustBoundary.ConfigurationPath("/etc/cni/net.d/whereabouts.d/whereabouts.conf", AdminPolicy.Default).IsSucc);
    }

    [Theory]
    [InlineData("""{"log_file":"/etc/cron.daily/whereabouts.log"}""", "log_file \"/etc/cron.daily/whereabouts.log\" is not allowed", "allowed_log_dirs")]
    [InlineData("""{"log_file":"/tmp/../etc/x.log"}""", "log_file \"/tmp/../etc/x.log\" is not allowed: a NetworkAttachmentDefinition must name an absolute path", "\"..\"")]
    [InlineData("""{"log_file":"/tmp/root-script.sh"}""", "must end in \".log\"", "log_file")]
    [InlineData("""{"kubernetes":{"kubeconfig":"/etc/kubernetes/admin.conf"}}""", "kubernetes.kubeconfig \"/etc/kubernetes/admin.conf\" is not allowed", "allowed_kubeconfig_dirs")]
    [InlineData("""{"file":{"dir":"/etc"}}""", "file.dir \"/etc\" is not allowed", "allowed_file_store_dirs")]
    [InlineData("""{"file":{"dir":"/var/lib/cni/whereabouts-evil"}}""", "file.dir \"/var/lib/cni/whereabouts-evil\" is not allowed", "allowed_file_store_dirs")]
    [InlineData("""{"etcd_key_file":"/etc/kubernetes/pki/etcd/server.key"}""", "etcd_key_file \"/etc/kubernetes/pki/etcd/server.key\" is not allowed", "allowed_etcd_tls_dirs")]
    [InlineData("""{"log_file":"tmp/whereabouts.log"}""", "must name an absolute path", "log_file")]
    public void APathOutsideTheAllowedDirectoriesIsRefusedNamingTheKeyAndTheFix(string inline, string says, string names)
    {
        var message = Refusal(Check(inline));
        Assert.Contains(says, message);
        Assert.Contains(names, message);
    }

    [Fact]
    public void EveryRefusalIsListedInOneMessage()
    {
        var message = Refusal(Check("""{"log_file":"/etc/x.log","kubernetes":{"kubeconfig":"/root/.kube/config"}}"""));
        Assert.Contains("log_file", message);
        Assert.Contains("kubernetes.kubeconfig", message);
    }

    [Fact]
    public void TheFlatFilesOwnValuesAreTrusted()
    {
        var named = Check("{}", flat: """{"log_file":"/var/log/anything","kubernetes":{"kubeconfig":"/root/.kube/config"},"file":{"dir":"/srv/wb"}}""").ThrowIfFail();
        Assert.Empty(named);
    }

    [Fact]
    public void TheAdminWidensAndNarrowsWithTheFlatFilesKeys()
    {
        var policy = AdminPolicy.Read("""{"allowed_log_dirs":["/var/log/wb"],"allowed_file_store_dirs":[],"range":"10.0.0.0/8"}"""u8, AdminPolicy.Default, "wb.conf").ThrowIfFail();
        Assert.True(Check("""{"log_file":"/var/log/wb/n.log"}""", policy: policy).IsSucc);
        Assert.Contains("allowed_log_dirs", Refusal(Check("""{"log_file":"/tmp/whereabouts.log"}""", policy: policy)));
        Assert.Contains("only inside no directory", Refusal(Check("""{"file":{"dir":"/var/lib/cni/whereabouts"}}""", policy: policy)));
        Assert.Equal(AdminPolicy.Default.KubeconfigDirs, policy.KubeconfigDirs); // a key not given keeps its default
    }

    [Theory]
    [InlineData("""{"allowed_log_dirs":"/tmp"}""", "allowed_log_dirs must be a list of strings")]
    [InlineData("""{"allowed_log_dirs":["tmp"]}""", "allowed_log_dirs entries must be absolute paths")]
    [InlineData("""{"allowed_kubeconfig_dirs":["/etc/../root"]}""", "allowed_kubeconfig_dirs entries must be absolute paths")]
    [InlineData("""{"allowed_everything":["/"]}""", "unknown key \"allowed_everything\"")]
    public void AMalformedPolicyKeyIsAConfigError(string flat, string says) =>
        Assert.Contains(says, Refusal(AdminPolicy.Read(Encoding.UTF8.GetBytes(flat), AdminPolicy.Default, "wb.conf")));

    [Fact]
    public void AFlatFileThatIsNotJsonIsRefusedWithItsPositionNeverItsContent()
    {
        var message = Refusal(AdminPolicy.Read("root:$y$secrethash:19000"u8, AdminPolicy.Default, "/etc/x"));
        Assert.Equal("flat file /etc/x is not valid JSON (line 1, byte 1 of the line); its content is not shown", message);
        Assert.Contains("line 2, byte 10", Refusal(AdminPolicy.Read("{\n\"range\": secret}"u8, AdminPolicy.Default, "/etc/x")));
    }

    const string FlatEtcd = """{"datastore":"etcd","etcd_host":"10.0.0.5:2379","etcd_username":"root","etcd_password":"s3cret"}""";

    [Fact]
    public void TheFlatFilesCredentialsAreNotSentToAnEtcdHostNamedInline()
    {
        var message = Refusal(Check("""{"etcd_host":"http://203.0.113.9:2379"}""", flat: FlatEtcd));
        Assert.Contains("etcd_host \"http://203.0.113.9:2379\" is set in the network configuration while etcd_username, etcd_password come from the flat file", message);
        Assert.DoesNotContain("s3cret", message);
    }

    [Theory]
    [InlineData("""{"etcd_host":"10.0.0.5:2379"}""")] // the flat file's own endpoint
    [InlineData("""{"etcd_host":"http://10.0.0.5"}""")] // the same, written another way
    [InlineData("""{"etcd_host":"10.9.9.9:2379","etcd_username":"nad","etcd_password":"own"}""")] // the NAD's own credentials
    [InlineData("""{"range":"10.0.0.0/24"}""")]
    public void AnEndpointTravelsWithItsOwnCredentials(string inline) => Assert.True(Check(inline, flat: FlatEtcd).IsSucc);

    [Fact]
    public void AnInlineCaWithTheFlatFilesCredentialsIsRefused() =>
        Assert.Contains("etcd_ca_cert_file \"/etc/cni/net.d/whereabouts.d/evil-ca.pem\" is set in the network configuration",
            Refusal(Check("""{"etcd_ca_cert_file":"/etc/cni/net.d/whereabouts.d/evil-ca.pem"}""", flat: FlatEtcd)));

    [Fact]
    public void FlatFileCredentialsWithoutAnEndpointAreNotSentToAnInlineOne() =>
        Assert.Contains("set etcd_host in",
            Refusal(Check("""{"etcd_host":"203.0.113.9:2379"}""", flat: """{"datastore":"etcd","etcd_cert_file":"/etc/wb/c.pem","etcd_key_file":"/etc/wb/k.pem"}""")));

    [Fact]
    public void TheAdminCanLimitInlineEndpointsAndCredentialsInAnEndpointAreNeverShown()
    {
        var policy = AdminPolicy.Default with { EtcdHosts = ["10.0.0.5:2379"] };
        var message = Refusal(Check("""{"datastore":"etcd","etcd_host":"http://user:PASSWORD@198.51.100.1:2379"}""", policy: policy));
        Assert.Contains("etcd_host entry \"http://***@198.51.100.1:2379\" is not allowed", message);
        Assert.DoesNotContain("PASSWORD", message);
        Assert.True(Check("""{"datastore":"etcd","etcd_host":"https://10.0.0.5:2379/"}""", policy: policy).IsSucc);
    }

    [Theory]
    [InlineData("http://user:pw@host:2379", "http://***@host:2379")]
    [InlineData("user:pw@host:2379/x@y", "***@host:2379/x@y")]
    [InlineData("https://a@b@host", "https://***@host")]
    [InlineData("https://host:2379/path?q=a@b", "https://host:2379/path?q=a@b")]
    [InlineData("host:2379", "host:2379")]
    public void RedactionHidesUserinfoOnly(string url, string shown) => Assert.Equal(shown, Redaction.Url(url));

    // --- properties, against simple models ---

    static readonly Gen<string> Component = Gen.OneOf(Gen.Const("a"), Gen.Const("b"), Gen.Const("tmp"), Gen.Const(".."), Gen.Const("."), Gen.Const(""), Gen.Const("a.log"));
    static readonly Gen<string[]> Components = Component.Array[0, 5];

    /// <summary>Inside: allowed exactly when the path is clean and the directory's components are a proper prefix of it (or all of it, for a directory).</summary>
    [Fact]
    public void InsideMatchesTheComponentPrefixModel() =>
        Gen.Select(Components, Component.Array[0, 3], Gen.Bool).Sample((written, dir, mayBeDir) =>
        {
            var pathText = "/" + string.Join("/", written);
            var path = written.Reverse().SkipWhile(c => c == "").Reverse().ToArray(); // trailing slashes do not count
            var dirText = "/" + string.Join("/", dir);
            var actual = TrustBoundary.Inside("k", pathText, [dirText], "key", "files", mayBeDir).IsSucc;

            var clean = path.All(c => c is not ("" or "." or ".."));
            var dirParts = dir.Length == 0 ? [] : dir;
            var prefix = dirParts.Length <= path.Length && dirParts.SequenceEqual(path.Take(dirParts.Length));
            var expected = clean && prefix && (path.Length > dirParts.Length || mayBeDir)
                && dirParts.All(c => c is not ("" or "." or ".."));
            // A directory entry that is not clean is refused when the policy is read, so the model only covers clean ones.
            if (dirParts.Any(c => c is "" or "." or "..")) return true;
            return actual == expected;
        });

    static Gen<string?> OneOf(params string?[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);
    static readonly Gen<string?> Host = OneOf(null, "10.0.0.5:2379", "http://10.0.0.5", "203.0.113.9:2379");
    static readonly Gen<string?> Value = OneOf(null, "", "v");
    static readonly Gen<string?> Ca = OneOf(null, "/etc/cni/net.d/whereabouts.d/a.pem", "/etc/cni/net.d/whereabouts.d/b.pem");

    static readonly Gen<IpamDto> EtcdDto = Gen.Select(Host, Value, Value, Value, Value, Ca).Select((host, user, pass, cert, key, ca) => new IpamDto
    {
        EtcdHost = host,
        EtcdUsername = user,
        EtcdPassword = pass,
        EtcdCertFile = cert is null ? null : cert.Length == 0 ? "" : "/etc/cni/net.d/whereabouts.d/c.pem",
        EtcdKeyFile = key is null ? null : key.Length == 0 ? "" : "/etc/cni/net.d/whereabouts.d/k.pem",
        EtcdCaCertFile = ca,
    });

    /// <summary>
    /// The credential rule against its model: refused exactly when a credential the merge takes from the flat file
    /// would go to an endpoint or a trust the inline object chose; so the merged config never pairs the two.
    /// </summary>
    [Fact]
    public void FlatFileCredentialsNeverLeaveWithAnInlineEndpoint() =>
        Gen.Select(EtcdDto, EtcdDto).Sample((inline, flat) =>
        {
            flat.Datastore = "etcd";
            var actual = TrustBoundary.Check(inline, flat, AdminPolicy.Default, "f").IsSucc;

            static bool Set(string? s) => !string.IsNullOrEmpty(s);
            static string Norm(string? h) => h is null ? "" : h.Replace("http://", "").Contains(':') ? h.Replace("http://", "") : h.Replace("http://", "") + ":2379";
            var flatCredential = (!Set(inline.EtcdUsername) && Set(flat.EtcdUsername)) || (!Set(inline.EtcdPassword) && Set(flat.EtcdPassword))
                || (!Set(inline.EtcdCertFile) && Set(flat.EtcdCertFile)) || (!Set(inline.EtcdKeyFile) && Set(flat.EtcdKeyFile));
            var otherHost = Set(inline.EtcdHost) && Norm(inline.EtcdHost) != Norm(flat.EtcdHost);
            var otherCa = Set(inline.EtcdCaCertFile) && inline.EtcdCaCertFile != (flat.EtcdCaCertFile ?? "");
            var expected = !(flatCredential && (otherHost || otherCa));

            var merged = FlatFile.Merge(inline, flat);
            var sentElsewhere = flatCredential && (Norm(merged.EtcdHost) != Norm(flat.EtcdHost) || (merged.EtcdCaCertFile ?? "") != (flat.EtcdCaCertFile ?? ""));
            return actual == expected && !(actual && sentElsewhere);
        });
}
