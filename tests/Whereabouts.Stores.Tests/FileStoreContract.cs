using Whereabouts.Stores.FileStore;

namespace Whereabouts.Stores.Tests;

public sealed class FileStoreContract : StoreContract
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "wb-filestore-" + Guid.NewGuid().ToString("N"));

    protected override Task<IPoolStore> OpenEmpty() => Task.FromResult<IPoolStore>(new FilePoolStore(dir));

    protected override Task<IPoolStore> OpenAgain() => Task.FromResult<IPoolStore>(new FilePoolStore(dir));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }
}
