using System.Text.Json.Nodes;

namespace Whereabouts.Deploy.Tests;

/// <summary>
/// One container of a rendered workload, run by ctr as the kubelet would run it: its command, its env (field
/// references resolved for the node), its volume mounts bound to the fake node's hostPath directories (an
/// emptyDir becomes a fresh directory), host networking when the pod asks for it, a read-only root file
/// system and every default capability dropped when its securityContext says so, and the service-account
/// mount and KUBERNETES_SERVICE_* variables every pod gets.
/// </summary>
static class PodContainer
{
    /// <summary>The capabilities containerd's default spec grants; "drop: [ALL]" drops these.</summary>
    static readonly string[] DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <param name="command">Replaces the manifest's command when the test must (a port of its own); null keeps it.</param>
    public static List<string> RunArgs(JsonObject workload, string container, FakeNode node, Uri apiServer, IReadOnlyList<string>? command = null, bool keepCapabilities = false)
    {
        var pod = (string?)workload["kind"] == "Pod" ? workload["spec"]!.AsObject() : workload["spec"]!["template"]!["spec"]!.AsObject();
        var c = (pod["initContainers"]?.AsArray() ?? []).Concat(pod["containers"]!.AsArray()).Single(x => (string?)x!["name"] == container)!;
        var args = new List<string>();
        if ((string?)pod["hostNetwork"] == "true") args.Add("--net-host");
        var security = c["securityContext"];
        if ((string?)security?["readOnlyRootFilesystem"] == "true") args.Add("--read-only");
        if (!keepCapabilities && (security?["capabilities"]?["drop"]?.AsArray() ?? []).Any(d => (string?)d == "ALL"))
            foreach (var cap in DefaultCapabilities) args.AddRange(["--cap-drop", cap]);
        foreach (var e in c["env"]?.AsArray() ?? [])
        {
            var value = (string?)e!["value"] ?? (string?)e["valueFrom"]!["fieldRef"]!["fieldPath"] switch
            {
                "spec.nodeName" => node.Name,
                "metadata.namespace" => (string?)workload["metadata"]!["namespace"] ?? "default",
                "metadata.name" => (string)workload["metadata"]!["name"]! + "-0",
                var other => throw new NotSupportedException($"fieldRef {other}"),
            };
            args.AddRange(["--env", $"{e["name"]}={value}"]);
        }
        args.AddRange(["--env", $"KUBERNETES_SERVICE_HOST={apiServer.Host}", "--env", $"KUBERNETES_SERVICE_PORT={apiServer.Port}"]);
        args.AddRange(["--mount", $"type=bind,src={node.ServiceAccountDir},dst=/var/run/secrets/kubernetes.io/serviceaccount,options=rbind:ro"]);
        var volumes = pod["volumes"]?.AsArray() ?? [];
        foreach (var m in c["volumeMounts"]?.AsArray() ?? [])
        {
            var volume = volumes.Single(v => (string?)v!["name"] == (string?)m!["name"])!;
            var source = volume["hostPath"] is { } hostPath ? node.Host((string)hostPath["path"]!)
                : volume["emptyDir"] is not null ? node.Host($"/var/lib/kubelet/pods/{workload["metadata"]!["name"]}/{container}/{m!["name"]}")
                : throw new NotSupportedException($"volume {volume["name"]}");
            var mode = (string?)m!["readOnly"] == "true" ? "ro" : "rw";
            args.AddRange(["--mount", $"type=bind,src={source},dst={m["mountPath"]},options=rbind:{mode}"]);
        }
        args.Add(Containerd.Image);
        args.Add($"{workload["metadata"]!["name"]}-{container}");
        args.AddRange(command ?? c["command"]!.AsArray().Select(x => (string)x!).Concat((c["args"]?.AsArray() ?? []).Select(x => (string)x!)));
        return args;
    }
}
