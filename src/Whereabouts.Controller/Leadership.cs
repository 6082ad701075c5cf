using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Whereabouts.Kube;
using Whereabouts.Stores;

namespace Whereabouts.Controller;

/// <summary>
/// One replica acts, the others wait: leader election on a coordination.k8s.io Lease (KubernetesClient's
/// LeaderElector). The work runs with a token that ends when the Lease is lost; a replica that loses it
/// stands for election again. On shutdown the leader gives the Lease up, so a standby takes over at once
/// instead of after the lease duration. Every write the work makes is still guarded by compare-and-swap,
/// so two leaders for a moment (a paused process whose Lease ran out) cannot release anything twice.
/// </summary>
public sealed class Leadership(KubeClientConnection kube, string leaseNamespace, string leaseName, string identity,
    ControllerOptions timings, ControllerMetrics metrics, Log log)
{
    public bool IsLeader { get; private set; }

    public async Task Run(Func<CancellationToken, Task> whileLeading, CancellationToken stop)
    {
        var lease = new LeaseLock(kube.Client, leaseNamespace, leaseName, identity);
        while (!stop.IsCancellationRequested)
        {
            var elector = new LeaderElector(new LeaderElectionConfig(lease)
            {
                LeaseDuration = timings.LeaseDuration,
                RenewDeadline = timings.RenewDeadline,
                RetryPeriod = timings.RetryPeriod,
            });
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(stop);
            Task work = Task.CompletedTask;
            elector.OnStartedLeading += () =>
            {
                IsLeader = true;
                metrics.Leading(true);
                log.Verbose($"{identity} leads (Lease {leaseNamespace}/{leaseName})");
                work = Task.Run(() => whileLeading(leading.Token));
            };
            elector.OnStoppedLeading += () =>
            {
                IsLeader = false;
                metrics.Leading(false);
                leading.Cancel();
            };
            elector.OnNewLeader += holder => { if (holder != identity) log.Verbose($"{holder} leads; {identity} stands by"); };
            try
            {
                await elector.RunUntilLeadershipLostAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                log.Error($"leader election: {e.GetType().Name}: {e.Message}");
                try { await Task.Delay(timings.RetryPeriod, stop); } catch (OperationCanceledException) { }
            }
            await leading.CancelAsync();
            try { await work; } catch (Exception e) when (e is OperationCanceledException || stop.IsCancellationRequested) { }
            if (IsLeader || stop.IsCancellationRequested) await GiveUp();
            IsLeader = false;
            metrics.Leading(false);
        }
    }

    /// <summary>Ends our hold on the Lease (holder emptied) if we still hold it; a standby then acquires it on its next try.</summary>
    async Task GiveUp()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var current = await kube.Client.CoordinationV1.ReadNamespacedLeaseAsync(leaseName, leaseNamespace, cancellationToken: timeout.Token);
            if (current.Spec?.HolderIdentity != identity) return;
            // Empty, not null: KubernetesClient's elector treats a Lease without a holder as one to create (and
            // the create conflicts), but one with an empty holder as free to take.
            current.Spec.HolderIdentity = "";
            await kube.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, leaseName, leaseNamespace, cancellationToken: timeout.Token);
            log.Verbose($"{identity} gave up Lease {leaseNamespace}/{leaseName}");
        }
        catch (Exception e)
        {
            log.Verbose($"giving up Lease {leaseNamespace}/{leaseName}: {e.Message}; it runs out by itself");
        }
    }
}
