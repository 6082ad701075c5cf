namespace Whereabouts.KubeTestServer;

/// <summary>
/// Kubernetes audit-style verb names, as used by <see cref="KubeTestServer.RequestCount(string)"/>
/// and <see cref="FaultInjector.Verbs"/>. Kept as strings so they read like apiserver audit logs.
/// </summary>
public static class KubeVerbs
{
    public const string Get = "get";
    public const string List = "list";
    public const string Watch = "watch";
    public const string Create = "create";
    public const string Update = "update";
    public const string Patch = "patch";
    public const string Delete = "delete";
    public const string DeleteCollection = "deletecollection";

    /// <summary>True for verbs that change stored state (the ones <see cref="FaultKind.ApplyThenDrop"/> can hit).</summary>
    public static bool IsWrite(string verb) =>
        verb is Create or Update or Patch or Delete or DeleteCollection;
}
