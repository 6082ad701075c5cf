using System.Text;
using System.Text.Json;

namespace Whereabouts.Installer;

/// <summary>The contents the installer writes into whereabouts.d: pure functions of the options and the service account.</summary>
public static class NodeFiles
{
    public const string KubeconfigHeader = "# Kubeconfig of the Whereabouts CNI plugin, written by whereabouts-install.";

    /// <summary>The plugin's kubeconfig: the API server, the cluster CA and the service account's token, inline.</summary>
    public static byte[] Kubeconfig(ServiceAccount account, string apiHost, string apiPort)
    {
        // An IPv6 service address needs brackets in the URL.
        var host = apiHost.Contains(':') && !apiHost.StartsWith('[') ? $"[{apiHost}]" : apiHost;
        var text = $"""
            {KubeconfigHeader}
            apiVersion: v1
            kind: Config
            clusters:
            - name: local
              cluster:
                server: {Quoted($"https://{host}:{apiPort}")}
                certificate-authority-data: {Convert.ToBase64String(account.CaCertificate)}
            users:
            - name: whereabouts
              user:
                token: {Quoted(account.Token)}
            contexts:
            - name: whereabouts-context
              context:
                cluster: local
                user: whereabouts
                namespace: {Quoted(account.Namespace)}
            current-context: whereabouts-context

            """;
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>
    /// The flat file: the kubernetes datastore through the kubeconfig above, named by its path on the host, and
    /// configuration_path naming the directory of the nodename file, the keys upstream's installer writes, so
    /// that either plugin reads the other's file.
    /// </summary>
    public static byte[] FlatFile(string hostConfigDir, string hostKubeconfigPath)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("datastore", "kubernetes");
            json.WriteString("configuration_path", hostConfigDir);
            json.WriteStartObject("kubernetes");
            json.WriteString("kubeconfig", hostKubeconfigPath);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public static byte[] NodeName(string name) => Encoding.UTF8.GetBytes(name + "\n");

    /// <summary>A YAML double-quoted scalar: JSON's string escapes are valid YAML.</summary>
    static string Quoted(string value) => JsonSerializer.Serialize(value, InstallerJson.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
partial class InstallerJson : System.Text.Json.Serialization.JsonSerializerContext;
