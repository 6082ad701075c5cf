using CsCheck;
using System.Text;
using Whereabouts.Stores.Kubernetes;
using Xunit;

namespace Whereabouts.Stores.Tests.Kubernetes;

/// <summary>Kubeconfig files as they are found in the wild, and the subset of YAML they are written in.</summary>
public sealed class KubernetesKubeconfigTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "wb-kcfg-" + Guid.NewGuid().ToString("N")[..12]);

    public KubernetesKubeconfigTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly string CaPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    static readonly string CaData = Convert.ToBase64String(Encoding.ASCII.GetBytes(CaPem));

    string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>What upstream's install-cni.sh writes (with the namespace variable left empty).</summary>
    [Fact]
    public void UpstreamInstallerKubeconfig()
    {
        var config = Kubeconfig.Load(Write("whereabouts.kubeconfig", $"""
            # Kubeconfig file for Multus CNI plugin.
            apiVersion: v1
            kind: Config
            clusters:
            - name: local
              cluster:
                server: https://[fd00:10:96::1]:443
                certificate-authority-data: {CaData}
            users:
            - name: whereabouts
              user:
                token: "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ3aGVyZWFib3V0cyJ9.c2ln"
            contexts:
            - name: whereabouts-context
              context:
                cluster: local
                user: whereabouts
                namespace: 
            current-context: whereabouts-context
            """));
        Assert.Equal("https://[fd00:10:96::1]/", config.Server.ToString());
        Assert.Equal("kube-system", config.Namespace);
        Assert.Equal(CaPem, config.CaPem);
        Assert.Equal("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ3aGVyZWFib3V0cyJ9.c2ln", config.Token);
        Assert.False(config.InsecureSkipTlsVerify);
    }

    /// <summary>kubectl's own layout: "- cluster:" first, name after, files by relative path, a flow {} and comments.</summary>
    [Fact]
    public void KubectlStyleWithRelativeFilesAndTokenFile()
    {
        File.WriteAllText(Path.Combine(dir, "ca.crt"), CaPem);
        File.WriteAllText(Path.Combine(dir, "token"), "  file-token\n");
        var config = Kubeconfig.Load(Write("config", """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority: ca.crt   # relative to this file
                server: 'https://10.0.0.1:6443'
                tls-server-name: kubernetes.default.svc
              name: prod
            - cluster: {server: "https://other:6443", insecure-skip-tls-verify: true}
              name: other
            contexts:
            - context: {cluster: prod, user: "sa", namespace: "whereabouts"}
              name: ctx
            current-context: ctx
            kind: Config
            preferences: {}
            users:
            - name: sa
              user:
                tokenFile: ./token
            """));
        Assert.Equal(new Uri("https://10.0.0.1:6443"), config.Server);
        Assert.Equal(CaPem, config.CaPem);
        Assert.Equal("file-token", config.Token);
        Assert.Equal("whereabouts", config.Namespace);
        Assert.Equal("kubernetes.default.svc", config.TlsServerName);
    }

    [Fact]
    public void TokenBeatsTokenFileAndDataBeatsFile()
    {
        var config = Kubeconfig.Load(Write("config", $$$"""
            clusters: [{name: c, cluster: {server: "https://k:6443", certificate-authority: /nonexistent, certificate-authority-data: {{{CaData}}} }}]
            users: [{name: u, user: {token: inline, tokenFile: /nonexistent}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """));
        Assert.Equal("inline", config.Token);
        Assert.Equal(CaPem, config.CaPem);
    }

    [Fact]
    public void JsonKubeconfig()
    {
        var config = Kubeconfig.Load(Write("config.json", $$"""
            {
              "apiVersion": "v1", "kind": "Config",
              "clusters": [ { "name": "c", "cluster": { "server": "https://k:6443", "insecure-skip-tls-verify": true } } ],
              "users": [ { "name": "u", "user": { "username": "admin", "password": "p:w" } } ],
              "contexts": [ { "name": "x", "context": { "cluster": "c", "user": "u", "namespace": "net" } } ],
              "current-context": "x"
            }
            """));
        Assert.True(config.InsecureSkipTlsVerify);
        Assert.Equal(("admin", "p:w", "net"), (config.Username, config.Password, config.Namespace));
    }

    [Fact]
    public void ClientCertificateAndKeyData()
    {
        var config = Kubeconfig.Load(Write("config", $"""
            clusters:
              - name: c
                cluster:
                  server: https://k:6443
                  certificate-authority-data: {CaData}
            users:
              - name: u
                user:
                  client-certificate-data: {Convert.ToBase64String("CERT"u8.ToArray())}
                  client-key-data: {Convert.ToBase64String("KEY"u8.ToArray())}
            contexts:
              - name: x
                context:
                  cluster: c
                  user: u
            current-context: "x"
            """));
        Assert.Equal(("CERT", "KEY"), (config.ClientCertificatePem, config.ClientKeyPem));
    }

    [Theory]
    [InlineData("clusters: []\ncontexts: []\n", "current-context is not set")]
    [InlineData("current-context: missing\ncontexts:\n- name: other\n  context: {cluster: c}\n", "contexts has no entry named \"missing\"")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: ftp://x}\n", "no usable server URL")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: https://x}\nusers:\n- name: u\n  user:\n    exec:\n      command: aws\n", "exec or auth-provider")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: https://x, insecure-skip-tls-verify: true, certificate-authority-data: Zm9v}\n", "both insecure-skip-tls-verify and a certificate authority")]
    [InlineData("current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  cluster: {server: https://x, insecure-skip-tls-verify: maybe}\n", "not true or false")]
    [InlineData("current-context: &a x\n", "anchors, aliases and tags")]
    [InlineData("current-context: x\n\tcontexts: []\n", "tab")]
    [InlineData("a: 1\n---\nb: 2\n", "more than one YAML document")]
    [InlineData("- just\n- a list\n", "not a mapping")]
    public void UnusableKubeconfigsSayWhy(string text, string expected)
    {
        var e = Assert.Throws<StoreUnavailableException>(() => Kubeconfig.Load(Write("bad", text)));
        Assert.False(e.Transient);
        Assert.Contains(expected, e.Message);
        Assert.Contains("kubeconfig", e.Message);
    }

    [Fact]
    public void AMissingFileIsAPermanentErrorNamingTheKey()
    {
        var e = Assert.Throws<StoreUnavailableException>(() => Kubeconfig.Load(Path.Combine(dir, "nope")));
        Assert.False(e.Transient);
        Assert.Contains("\"kubernetes\": {\"kubeconfig\"", e.Message);
    }
}

public sealed class KubernetesYamlSubsetTests
{
    static string Dump(YamlNode n) => n switch
    {
        YamlNode.Scalar s => s.IsNull ? "null" : (s.Quoted ? "\"" + s.Text + "\"" : s.Text),
        YamlNode.Mapping m => "{" + string.Join(", ", m.Entries.Select(e => e.Key + ": " + Dump(e.Value))) + "}",
        YamlNode.Sequence q => "[" + string.Join(", ", q.Items.Select(Dump)) + "]",
        _ => "?",
    };

    [Theory]
    [InlineData("a: 1\nb: two words\n", "{a: 1, b: two words}")]
    [InlineData("a:\n  b:\n    c: d\n  e: f\n", "{a: {b: {c: d}, e: f}}")]
    [InlineData("l:\n- a\n- b\nm: 1\n", "{l: [a, b], m: 1}")]
    [InlineData("l:\n  - x: 1\n    y: 2\n  - x: 3\n", "{l: [{x: 1, y: 2}, {x: 3}]}")]
    [InlineData("l:\n- - a\n  - b\n- c\n", "{l: [[a, b], c]}")]
    [InlineData("l:\n-\n  x: 1\n", "{l: [{x: 1}]}")]
    [InlineData("a: [1, \"two\", {b: c}]\n", "{a: [1, \"two\", {b: c}]}")]
    [InlineData("a: {}\nb: []\nc:\nd: ~\n", "{a: {}, b: [], c: null, d: null}")]
    [InlineData("a: 'it''s'\nb: \"q\\\"\\n\\u00e9\\t\"\n", "{a: \"it's\", b: \"q\"\n\u00e9\t\"}")]
    [InlineData("url: https://h:6443/p#frag # comment\n", "{url: https://h:6443/p#frag}")]
    [InlineData("# head\n\n---\na: b # c\n...\n", "{a: b}")]
    [InlineData("\"quoted key\": v\n'k2' : w\n", "{quoted key: v, k2: w}")]
    [InlineData("lit: |\n  line1\n  line2\nnext: x\n", "{lit: \"line1\nline2\n\", next: x}")]
    [InlineData("lit: |-\n  line1\n\n  line3\n", "{lit: \"line1\n\nline3\"}")]
    [InlineData("fold: >\n  a\n  b\n\n  c\n", "{fold: \"a b\nc\n\"}")]
    [InlineData("long: \"abc\n  def\"\n", "{long: \"abc def\"}")]
    [InlineData("plain: abc\n  def\nnext: 1\n", "{plain: abc def, next: 1}")]
    [InlineData("flow: [a,\n  b]\n", "{flow: [a, b]}")]
    [InlineData("a: x:y\n", "{a: x:y}")]
    [InlineData("\uFEFFa: b\r\nc: d\r\n", "{a: b, c: d}")]
    [InlineData("{\n\t\"a\": {\n\t\t\"b\": true\n\t},\n\t\"c\": [1, null,]\n}\n", "{a: {b: true}, c: [1, null]}")]
    [InlineData("a: 1\na: 2\n", "{a: 1, a: 2}")]
    [InlineData("a: 1\n---\n", "{a: 1}")]
    [InlineData("%YAML 1.1\n---\na: b\n", "{a: b}")]
    [InlineData("", "null")]
    public void ParsesTheKubeconfigSubset(string yaml, string expected) =>
        Assert.Equal(expected, Dump(KubeconfigYaml.Parse(yaml)));

    [Theory]
    [InlineData("a: 1\n  b: 2\n")]
    [InlineData("a: \"open\n")]
    [InlineData("a: [1, 2\n")]
    [InlineData("a: *ref\n")]
    [InlineData("a: !!str x\n")]
    [InlineData("a: \"bad \\q escape\"\n")]
    [InlineData("a: &x 1\n")]
    [InlineData("? [x]\n: y\n")]
    [InlineData("a: 1\n---\nb: 2\n")]
    public void RefusesWhatItDoesNotUnderstand(string yaml) =>
        Assert.Throws<KubeconfigYamlException>(() => KubeconfigYaml.Parse(yaml));

    /// <summary>Duplicate keys are kept in order, and a lookup takes the last one (as Go's decoders do).</summary>
    [Fact]
    public void TheLastOfDuplicateKeysWins() =>
        Assert.Equal("2", ((YamlNode.Scalar)((YamlNode.Mapping)KubeconfigYaml.Parse("a: 1\na: 2\n"))["a"]!).Text);

    [Theory]
    [InlineData("a: b\nc: \"open\n", "line 2:")]
    [InlineData("a: b\n\nc: *ref\n", "line 3: anchors, aliases and tags")]
    [InlineData("a: 1\n---\nb: 2\n", "line 2: more than one YAML document")]
    public void ErrorsNameTheLine(string yaml, string expected) =>
        Assert.StartsWith(expected, Assert.Throws<KubeconfigYamlException>(() => KubeconfigYaml.Parse(yaml)).Message);

    /// <summary>A bounded depth: "[[[[…" cannot overflow the plugin's stack.</summary>
    [Fact]
    public void RefusesDeepNesting() =>
        Assert.Contains("nested more than", Assert.Throws<KubeconfigYamlException>(() => KubeconfigYaml.Parse(new string('[', 10_000) + new string(']', 10_000))).Message);

    /// <summary>Any text that is a mapping of plain keys to quoted values reads back as written.</summary>
    [Fact]
    public void QuotedValuesReadBackAsWritten() =>
        Gen.Dictionary(Gen.String[Gen.Char["abcdefghij"], 1, 8], Gen.String)[1, 6].Sample(map =>
        {
            var yaml = string.Concat(map.Select(kv => $"{kv.Key}: \"{Escape(kv.Value)}\"\n"));
            var parsed = (YamlNode.Mapping)KubeconfigYaml.Parse(yaml);
            Assert.All(map, kv => Assert.Equal(kv.Value, ((YamlNode.Scalar)parsed[kv.Key]!).Text));
        });

    /// <summary>YAML's double-quoted escapes: every character outside printable ASCII as \uXXXX.</summary>
    static string Escape(string s) => string.Concat(s.Select(c => c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}"));
}
