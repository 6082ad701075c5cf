using System.Text;

namespace Whereabouts.Kubectl.Tests;

/// <summary>
/// The kubeconfig as kubectl reads it, through KubernetesClient: client certificates, exec plugins, contexts,
/// $KUBECONFIG and the namespace; and what an unusable one exits with.
/// </summary>
public sealed class AccessTests : IAsyncLifetime
{
    World world = null!;

    public async Task InitializeAsync() => world = await World.Planted();

    public async Task DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task AClientCertificateAuthenticates()
    {
        var kubeconfig = world.Server.WriteClientCertificateKubeconfig(world.Kubeconfig + ".cert", user: "operator");
        var run = await Kubectl.Run(kubeconfig, "pools", "-o", "json");
        Assert.Equal(ExitCodes.Ok, run.Code);
        Assert.Contains("blue-fd00-10---64", run.Out, StringComparison.Ordinal);
        Assert.True(world.Server.RequestCountBy("operator") > 0);
    }

    [Fact]
    public async Task AnExecPluginAuthenticates()
    {
        // What `aws eks get-token` and kubelogin do: print an ExecCredential with a token on stdout.
        var plugin = world.Kubeconfig + ".exec.sh";
        var credential = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + world.Server.Token + "\"}}";
        File.WriteAllText(plugin, $"#!/bin/sh\necho '{credential}'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var kubeconfig = world.Kubeconfig + ".exec";
        File.WriteAllText(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: "{{world.Server.BaseAddress.ToString().TrimEnd('/')}}"
                certificate-authority-data: "{{Convert.ToBase64String(Encoding.ASCII.GetBytes(world.Server.CaPem))}}"
            users:
            - name: exec-user
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: "{{plugin}}"
                  interactiveMode: Never
            contexts:
            - name: other
              context: {cluster: test, user: nobody}
            - name: exec
              context: {cluster: test, user: exec-user, namespace: kube-system}
            current-context: other
            """);
        var run = await Kubectl.Run(kubeconfig, "show", "default/web-1", "--context", "exec");
        Assert.Equal(ExitCodes.Ok, run.Code);
        Assert.Contains("fd00:10::8000:0:0:5", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingContextIsExitThree()
    {
        var run = await world.Run("pools", "--context", "nope");
        Assert.Equal(ExitCodes.Unavailable, run.Code);
        Assert.Contains("nope", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnApiServerThatCannotBeReachedIsExitThree()
    {
        var kubeconfig = world.Kubeconfig + ".unreachable";
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """);
        var run = await Kubectl.Run(kubeconfig, "pools");
        Assert.Equal(ExitCodes.Unavailable, run.Code);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubeconfigComesFromTheEnvironmentAndTheNamespaceFromTheContext()
    {
        var other = world.Server.WriteKubeconfig(world.Kubeconfig + ".other", "whereabouts");
        world.Server.Put("ippools", "whereabouts", new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "10.5.0.0-24" },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["range"] = "10.5.0.0/24", ["allocations"] = new System.Text.Json.Nodes.JsonObject() },
        });
        var fromEnv = await Kubectl.RunWith(new Dictionary<string, string> { ["KUBECONFIG"] = "/nonexistent:" + other }, ["pools", "-o", "json"]);
        var overridden = await Kubectl.RunWith(new Dictionary<string, string> { ["KUBECONFIG"] = other }, ["pools", "-n", "kube-system"]);
        Assert.Equal(ExitCodes.Ok, fromEnv.Code);
        Assert.Contains("10.5.0.0-24", fromEnv.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("10.10.0.0-24", fromEnv.Out, StringComparison.Ordinal);
        Assert.Contains("10.10.0.0-24", overridden.Out, StringComparison.Ordinal);
    }
}
