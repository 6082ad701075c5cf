using Whereabouts.Core.Config;
using Whereabouts.Stores.Etcd;
using Whereabouts.Testing.Etcd;
using Xunit;

namespace Whereabouts.Stores.Tests.Etcd;

/// <summary>One etcd per test class; each test starts from an empty /whereabouts/ prefix.</summary>
public abstract class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    protected virtual bool Tls => false;

    public async Task InitializeAsync()
    {
        Server = await EtcdServer.Start(Tls);
        await Configure(Server);
    }

    protected virtual Task Configure(EtcdServer server) => Task.CompletedTask;

    /// <summary>The plugin's settings for this server, as the config parser would produce them.</summary>
    public abstract DatastoreSettings.Etcd Settings { get; }

    public EtcdPoolStore Open(TimeSpan? requestTimeout = null) => new(EtcdOptions.From(Settings, requestTimeout));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class PlainEtcdFixture : EtcdFixture
{
    public override DatastoreSettings.Etcd Settings => new([Server.Endpoint], "", "", "", "", "");
}

public sealed class AuthEtcdFixture : EtcdFixture
{
    public const string User = "whereabouts";
    public const string Password = "s3cret-pw";

    protected override async Task Configure(EtcdServer server)
    {
        await server.EnableAuth(User, Password);
        await server.AddUser("nobody", "nobody-pw", withRole: false);
    }

    public override DatastoreSettings.Etcd Settings => new([Server.Endpoint], User, Password, "", "", "");
}

public sealed class TlsEtcdFixture : EtcdFixture
{
    protected override bool Tls => true;

    public override DatastoreSettings.Etcd Settings =>
        new([Server.Endpoint], "", "", Server.Pki!.ClientKeyFile, Server.Pki.ClientCertFile, Server.Pki.CaFile);
}

public abstract class EtcdStoreContractBase(EtcdFixture etcd) : StoreContract
{
    protected override async Task<IPoolStore> OpenEmpty()
    {
        await etcd.Server.DeletePrefix(EtcdPoolStore.Root);
        return etcd.Open();
    }

    protected override Task<IPoolStore> OpenAgain() => Task.FromResult<IPoolStore>(etcd.Open());
}

/// <summary>The shared contract against etcd over plain HTTP.</summary>
public sealed class EtcdStoreContract(PlainEtcdFixture etcd) : EtcdStoreContractBase(etcd), IClassFixture<PlainEtcdFixture>;

/// <summary>The shared contract against etcd with username/password authentication (a user limited to /whereabouts/).</summary>
public sealed class EtcdAuthStoreContract(AuthEtcdFixture etcd) : EtcdStoreContractBase(etcd), IClassFixture<AuthEtcdFixture>;

/// <summary>The shared contract against etcd with mutual TLS (certificates made by the test).</summary>
public sealed class EtcdTlsStoreContract(TlsEtcdFixture etcd) : EtcdStoreContractBase(etcd), IClassFixture<TlsEtcdFixture>;
