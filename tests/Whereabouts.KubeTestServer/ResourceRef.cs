namespace Whereabouts.KubeTestServer;

/// <summary>
/// The parts of a custom-object URL: <c>/apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}]</c>.
/// A null namespace means a cluster-wide collection (list across namespaces).
/// </summary>
internal sealed record ResourceRef(string Group, string Version, string? Namespace, string Plural, string? Name)
{
    public string ApiVersion => Group + "/" + Version;

    /// <summary>"ippools.whereabouts.cni.cncf.io", as the apiserver names a resource in messages.</summary>
    public string Qualified => Plural + "." + Group;

    public static ResourceRef? Parse(string path)
    {
        var s = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (s.Length < 4 || s[0] != "apis") return null;
        var (g, v) = (s[1], s[2]);
        return s.Length switch
        {
            4 => new ResourceRef(g, v, null, s[3], null),
            6 when s[3] == "namespaces" => new ResourceRef(g, v, s[4], s[5], null),
            7 when s[3] == "namespaces" => new ResourceRef(g, v, s[4], s[5], s[6]),
            _ => null,
        };
    }
}
