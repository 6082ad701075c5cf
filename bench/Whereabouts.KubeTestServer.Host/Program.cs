// Serves the Kubernetes API test server (tests/Whereabouts.KubeTestServer) on loopback for shell benchmarks
// such as bench/plugin-ab-kubernetes.sh: writes DIR/token.kubeconfig (a bearer token) and
// DIR/client-certificate.kubeconfig (a client certificate and key, the slower TLS path), prints "ready", and
// stops when its standard input closes or after MAX_SECONDS, so a benchmark never leaves a server behind.
// Usage: Whereabouts.KubeTestServer.Host DIR [MAX_SECONDS=900]
using Whereabouts.KubeTestServer;

if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: Whereabouts.KubeTestServer.Host DIR [MAX_SECONDS=900]");
    return 2;
}
var dir = args[0];
var limit = TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 900);

await using var server = await KubeTestServer.StartAsync();
server.WriteKubeconfig(Path.Combine(dir, "token.kubeconfig"));
server.WriteClientCertificateKubeconfig(Path.Combine(dir, "client-certificate.kubeconfig"));
Console.WriteLine($"ready {server.BaseAddress}");

// End of input (the benchmark closed its end of the pipe, or exited) or the time limit, whichever is first.
var stdinClosed = Task.Run(() => { while (Console.In.ReadLine() is not null) { } });
await Task.WhenAny(stdinClosed, Task.Delay(limit));
return 0;
