using System.Reflection;
using Whereabouts.Stores.Kubernetes;
using Xunit;

namespace Whereabouts.Stores.Tests.Kubernetes;

/// <summary>The shared store contract against the in-process fake API server (HTTPS, token, resourceVersion CAS).</summary>
public sealed class KubernetesStoreContract(KubeServerFixture fixture) : StoreContract, IClassFixture<KubeServerFixture>
{
    readonly string ns = KubeServerFixture.FreshNamespace();

    protected override Task<IPoolStore> OpenEmpty() => Task.FromResult<IPoolStore>(fixture.Open(ns));

    protected override Task<IPoolStore> OpenAgain() => Task.FromResult<IPoolStore>(fixture.Open(ns));
}

/// <summary>
/// The same contract against a real cluster, when WHEREABOUTS_TEST_KUBECONFIG names a kubeconfig whose
/// context namespace has the whereabouts CRDs (deploy/crds). Each contract test is one theory case; without
/// the variable there is one skipped test saying so, never a vacuous pass. The objects the contract writes
/// ("contract-…" pools and reservations) are deleted before and after each case.
/// </summary>
public sealed class KubernetesRealClusterContract
{
    const string Variable = "WHEREABOUTS_TEST_KUBECONFIG";

    sealed class RealClusterFactAttribute : TheoryAttribute
    {
        public RealClusterFactAttribute()
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
                Skip = $"{Variable} is not set: point it at a kubeconfig of a test cluster with the whereabouts CRDs to run the store contract there";
        }
    }

    public static TheoryData<string> ContractTests()
    {
        var data = new TheoryData<string>();
        foreach (var m in typeof(StoreContract).GetMethods(BindingFlags.Public | BindingFlags.Instance))
            if (m.GetCustomAttribute<FactAttribute>() is not null) data.Add(m.Name);
        return data;
    }

    [RealClusterFact]
    [MemberData(nameof(ContractTests))]
    public async Task ContractHoldsOnARealCluster(string test)
    {
        var contract = new OnCluster(Environment.GetEnvironmentVariable(Variable)!);
        await contract.Clean();
        await ((IAsyncLifetime)contract).InitializeAsync();
        try
        {
            await (Task)typeof(StoreContract).GetMethod(test)!.Invoke(contract, null)!;
        }
        finally
        {
            await contract.DisposeAsync();
            await contract.Clean();
        }
    }

    /// <summary>Not public, so xUnit never discovers it on its own: it runs only through the theory above.</summary>
    sealed class OnCluster(string kubeconfig) : StoreContract
    {
        protected override Task<IPoolStore> OpenEmpty() => Task.FromResult<IPoolStore>(KubernetesPoolStore.Open(kubeconfig, Log.Silent));

        protected override Task<IPoolStore> OpenAgain() => OpenEmpty();

        public async Task Clean()
        {
            await using var store = KubernetesPoolStore.Open(kubeconfig, Log.Silent);
            foreach (var plural in (string[])[KubernetesPoolStore.Pools, KubernetesPoolStore.Reservations])
                foreach (var name in await store.Api.Names(plural, default))
                    if (name.StartsWith("contract-", StringComparison.Ordinal))
                        await store.Api.Delete(plural, name, "{}"u8.ToArray(), default);
        }
    }
}
