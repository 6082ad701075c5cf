using Whereabouts.Core.Config;

namespace Whereabouts.Controller;

/// <summary>The etcd datastore the options name, as the plugin's configuration would name it.</summary>
public static class EtcdSettings
{
    public static DatastoreSettings.Etcd From(ControllerOptions o) => new(
        o.EtcdEndpoints, o.EtcdUsername,
        o.EtcdPasswordFile.Length > 0 ? File.ReadAllText(o.EtcdPasswordFile).Trim() : "",
        o.EtcdKeyFile, o.EtcdCertFile, o.EtcdCaCertFile);
}
