using System.Text;

namespace Whereabouts.KubeTestServer;

/// <summary>
/// Writes a kubeconfig by hand (no YAML library needed): one cluster, one token user, one context.
/// All scalars are double-quoted so no value can be misread as another YAML type.
/// </summary>
internal static class KubeconfigWriter
{
    public static string Write(string path, Uri server, string caPem, string token, string @namespace, bool inlineCa)
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
                token: {Q(token)}
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

    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
