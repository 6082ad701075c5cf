namespace Whereabouts.KubeTestServer;

/// <summary>
/// What the apiserver's authorizer decides on, for one request: who (the token's user is "token", a client
/// certificate's its CN), the verb as RBAC names it (get, list, watch, create, update, patch, delete), the API
/// group ("" for core), the resource, the namespace (null for a cluster-wide request) and the object's name.
/// </summary>
public sealed record RequestAttributes(string User, string Verb, string Group, string Resource, string? Namespace, string? Name)
{
    /// <summary>The apiserver's message for a request RBAC refused.</summary>
    public string ForbiddenMessage()
    {
        var what = Group.Length == 0 ? Resource : $"{Resource}.{Group}";
        var scope = Namespace is { Length: > 0 } ns ? $" in the namespace \"{ns}\"" : " at the cluster scope";
        return $"{what}{(Name is null ? "" : $" \"{Name}\"")} is forbidden: User \"{User}\" cannot {Verb} resource \"{Resource}\" in API group \"{Group}\"{scope}";
    }
}
