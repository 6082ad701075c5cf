using Whereabouts.Stores.Memory;

namespace Whereabouts.Stores.Tests;

public sealed class InMemoryStoreContract : StoreContract
{
    InMemoryPoolStore? shared;

    protected override Task<IPoolStore> OpenEmpty() => Task.FromResult<IPoolStore>(shared = new InMemoryPoolStore());

    protected override Task<IPoolStore> OpenAgain() => Task.FromResult<IPoolStore>(shared!);
}
