using System.Text;

namespace Whereabouts.Stores.Kubernetes;

/// <summary>
/// What the plugin takes from a kubeconfig: the current context's server, namespace, trust and credentials,
/// with every file reference read and every "-data" value decoded. Mirrors client-go's precedence: "-data"
/// beats the file path, "token" beats "tokenFile", relative paths are relative to the kubeconfig's directory,
/// and an empty context namespace means kube-system (upstream whereabouts' default).
/// </summary>
public sealed record Kubeconfig(
    Uri Server,
    string Namespace,
    string CaPem,
    bool InsecureSkipTlsVerify,
    string TlsServerName,
    string ClientCertificatePem,
    string ClientKeyPem,
    string Token,
    string Username,
    string Password,
    string ProxyUrl,
    string Source)
{
    public const string DefaultNamespace = "kube-system";

    /// <summary>Never the credentials: this may end up in a log line.</summary>
    public override string ToString() => $"kubeconfig {Source} (server {Core.Redaction.Url(Server.ToString())}, namespace {Namespace})";

    /// <summary>Reads and resolves the kubeconfig at <paramref name="path"/>; failures name the file and the fix.</summary>
    public static Kubeconfig Load(string path)
    {
        // As every file the plugin reads (SafeFile): no symbolic link followed, a regular file, at most 1 MiB.
        byte[]? bytes;
        string why;
        try { bytes = SafeFile.Read(path, SafeFile.ConfigLimit); why = "it does not exist"; }
        catch (IOException e) { bytes = null; why = e.Message; }
        if (bytes is null)
            throw new StoreUnavailableException(
                $"kubeconfig {path} cannot be read ({why}); set \"kubernetes\": {{\"kubeconfig\": ...}} to a readable kubeconfig for the plugin's service account", transient: false);
        return Parse(Encoding.UTF8.GetString(bytes), path);
    }

    /// <summary>Resolves a kubeconfig's text; <paramref name="path"/> names it in errors and anchors relative paths.</summary>
    public static Kubeconfig Parse(string text, string path)
    {
        YamlNode root;
        try { root = KubeconfigYaml.Parse(text); }
        catch (KubeconfigYamlException e) { throw Invalid(path, e.Message); }
        if (root is not YamlNode.Mapping doc) throw Invalid(path, "it is not a mapping");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";

        var contextName = Text(doc["current-context"]);
        if (contextName.Length == 0) throw Invalid(path, "current-context is not set");
        var context = Named(doc, "contexts", contextName, "context", path);
        var clusterName = Text(context["cluster"]);
        var userName = Text(context["user"]);
        var cluster = Named(doc, "clusters", clusterName, "cluster", path);
        var user = userName.Length > 0 ? Named(doc, "users", userName, "user", path) : new YamlNode.Mapping([]);

        var serverText = Text(cluster["server"]);
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            throw Invalid(path, $"cluster \"{clusterName}\" has no usable server URL (\"{Core.Redaction.Url(serverText)}\")");

        if (user["exec"] is YamlNode.Mapping || user["auth-provider"] is YamlNode.Mapping)
            throw Invalid(path, $"user \"{userName}\" authenticates through exec or auth-provider, which the plugin does not run; use a service-account token (token or tokenFile) or a client certificate");

        var insecure = Flag(cluster["insecure-skip-tls-verify"], path, "insecure-skip-tls-verify");
        var ca = DataOrFile(cluster, "certificate-authority-data", "certificate-authority", dir, path);
        if (insecure && ca.Length > 0)
            throw Invalid(path, $"cluster \"{clusterName}\" sets both insecure-skip-tls-verify and a certificate authority; remove one (client-go refuses this too)");

        var token = Text(user["token"]);
        if (token.Length == 0 && Text(user["tokenFile"]) is { Length: > 0 } tokenFile)
            token = ReadFile(Resolve(dir, tokenFile), path, "tokenFile").Trim();
        var cert = DataOrFile(user, "client-certificate-data", "client-certificate", dir, path);
        var key = DataOrFile(user, "client-key-data", "client-key", dir, path);
        if ((cert.Length > 0) != (key.Length > 0))
            throw Invalid(path, $"user \"{userName}\" has a client certificate without its key, or a key without its certificate");

        var ns = Text(context["namespace"]);
        return new Kubeconfig(server, ns.Length > 0 ? ns : DefaultNamespace, ca, insecure, Text(cluster["tls-server-name"]),
            cert, key, token, Text(user["username"]), Text(user["password"]), Text(cluster["proxy-url"]), Path.GetFullPath(path));
    }

    /// <summary>The inner mapping of the named entry of a list such as contexts: [{name, context: {…}}].</summary>
    static YamlNode.Mapping Named(YamlNode.Mapping doc, string list, string name, string inner, string path)
    {
        if (doc[list] is not YamlNode.Sequence items)
            throw Invalid(path, $"it has no {list}, but \"{name}\" is named");
        foreach (var item in items.Items)
            if (item is YamlNode.Mapping m && Text(m["name"]) == name)
                return m[inner] as YamlNode.Mapping ?? new YamlNode.Mapping([]);
        throw Invalid(path, $"{list} has no entry named \"{name}\"");
    }

    static string DataOrFile(YamlNode.Mapping m, string dataKey, string fileKey, string dir, string path)
    {
        var data = Text(m[dataKey]);
        if (data.Length > 0)
        {
            try { return Encoding.UTF8.GetString(Convert.FromBase64String(data)); }
            catch (FormatException) { throw Invalid(path, $"{dataKey} is not base64"); }
        }
        var file = Text(m[fileKey]);
        return file.Length > 0 ? ReadFile(Resolve(dir, file), path, fileKey) : "";
    }

    static string Resolve(string dir, string file) => Path.IsPathRooted(file) ? file : Path.Combine(dir, file);

    static string ReadFile(string file, string path, string key)
    {
        try
        {
            if (SafeFile.Read(file, SafeFile.ConfigLimit) is { } bytes) return Encoding.UTF8.GetString(bytes);
            throw new StoreUnavailableException($"kubeconfig {path}: {key} {file} cannot be read: it does not exist", transient: false);
        }
        catch (IOException e)
        {
            throw new StoreUnavailableException($"kubeconfig {path}: {key} {file} cannot be read: {e.Message}", transient: false, e);
        }
    }

    static bool Flag(YamlNode? node, string path, string key)
    {
        var text = Text(node);
        return text.ToLowerInvariant() switch
        {
            "" or "false" or "no" or "off" => false,
            "true" or "yes" or "on" => true,
            _ => throw Invalid(path, $"{key} is \"{text}\", not true or false"),
        };
    }

    static string Text(YamlNode? node) => node is YamlNode.Scalar s && !s.IsNull ? s.Text : "";

    static StoreUnavailableException Invalid(string path, string why) =>
        new($"kubeconfig {path} cannot be used: {why}", transient: false);
}
