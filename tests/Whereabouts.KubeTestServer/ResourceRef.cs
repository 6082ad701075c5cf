namespace Whereabouts.KubeTestServer;

/// <summary>
/// The parts of a custom-object URL: <c>/apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}]</c>, or of
/// a core one, <c>/api/v1[/namespaces/{ns}]/{plural}[/{name}]</c> (group ""). A null namespace means a
/// cluster-wide collection (list across namespaces), or with a name, an object of a cluster-scoped kind; such
/// a kind's objects are stored under namespace "" (<see cref="Scoped"/>).
/// </summary>
internal sealed record ResourceRef(string Group, string Version, string? Namespace, string Plural, string? Name)
{
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>"ippools.whereabouts.cni.cncf.io", as the apiserver names a resource in messages ("pods" for core).</summary>
    public string Qualified => Group.Length == 0 ? Plural : Plural + "." + Group;

    /// <summary>A core (group "") resource, served under /api.</summary>
    public bool IsCore => Group.Length == 0;

    /// <summary>
    /// This reference as the store keys it, or null where the apiserver has no such route: a cluster-scoped
    /// kind under /namespaces/, or one object of a namespaced kind without its namespace.
    /// </summary>
    public ResourceRef? Scoped(CustomResourceType? type)
    {
        var namespaced = type?.Namespaced ?? true;
        if (!namespaced) return Namespace is null ? this with { Namespace = "" } : null;
        return Name is not null && Namespace is null ? null : this;
    }

    public static ResourceRef? Parse(string path)
    {
        var s = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (s.Length >= 3 && s[0] == "api") return ParseCore(s);
        if (s.Length < 4 || s[0] != "apis") return null;
        var (g, v) = (s[1], s[2]);
        return s.Length switch
        {
            4 => new ResourceRef(g, v, null, s[3], null),
            5 when s[3] != "namespaces" => new ResourceRef(g, v, null, s[3], s[4]),
            6 when s[3] == "namespaces" => new ResourceRef(g, v, s[4], s[5], null),
            7 when s[3] == "namespaces" => new ResourceRef(g, v, s[4], s[5], s[6]),
            _ => null,
        };
    }

    /// <summary>/api/{version}[/namespaces/{ns}]/{plural}[/{name}]</summary>
    private static ResourceRef? ParseCore(string[] s) => s.Length switch
    {
        3 => new ResourceRef("", s[1], null, s[2], null),
        4 when s[2] != "namespaces" => new ResourceRef("", s[1], null, s[2], s[3]),
        5 when s[2] == "namespaces" => new ResourceRef("", s[1], s[3], s[4], null),
        6 when s[2] == "namespaces" => new ResourceRef("", s[1], s[3], s[4], s[5]),
        _ => null,
    };
}
