using System.Text;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// Writes a kubeconfig by hand (no YAML library needed): one cluster, one token user, one context.
/// All scalars are double-quoted so no value can be misread as another YAML type.
/// </summary>
internal static class KubeconfigWriter
{
    public static string Write(string path, Uri server, string caPem, string token, string @namespace, bool inlineCa,
        (string CertificatePem, string KeyPem)? clientCertificate = null)
    {
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);

        string caLine;
        if (inlineCa)
        {
            caLine = "certificate-authority-data: " + Q(Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem)));
        }
        else
        {
            var caPath = fullPath + ".ca.crt";
            File.WriteAllText(caPath, caPem);
            caLine = "certificate-authority: " + Q(caPath);
        }

        var yaml = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: kube-test-server
              cluster:
                server: {Q(server.ToString().TrimEnd('/'))}
                {caLine}
            users:
            - name: kube-test-user
              user:
                {UserLines(fullPath, token, clientCertificate, inlineCa)}
            contexts:
            - name: kube-test
              context:
                cluster: kube-test-server
                user: kube-test-user
                namespace: {Q(@namespace)}
            current-context: kube-test
            preferences: {"{}"}

            """;
        File.WriteAllText(fullPath, yaml);
        return fullPath;
    }

    /// <summary>The user's credential: a token, or a client certificate and key (inline, or files beside the kubeconfig).</summary>
    private static string UserLines(string fullPath, string token, (string CertificatePem, string KeyPem)? client, bool inline)
    {
        if (client is not { } c) return "token: " + Q(token);
        if (inline)
            return "client-certificate-data: " + Q(Convert.ToBase64String(Encoding.ASCII.GetBytes(c.CertificatePem)))
                + "\n    client-key-data: " + Q(Convert.ToBase64String(Encoding.ASCII.GetBytes(c.KeyPem)));
        File.WriteAllText(fullPath + ".client.crt", c.CertificatePem);
        File.WriteAllText(fullPath + ".client.key", c.KeyPem);
        return "client-certificate: " + Q(fullPath + ".client.crt") + "\n    client-key: " + Q(fullPath + ".client.key");
    }

    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
