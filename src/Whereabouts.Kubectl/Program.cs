using Whereabouts.Kubectl;

// kubectl-whereabouts: kubectl runs it as "kubectl whereabouts" when it is on PATH. Ctrl+C ends a --watch.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};
return await KubectlApp.Run(args, KubectlHost.System(), interrupted.Token);
