using System.Text.Json.Nodes;

namespace Whereabouts.Deploy.Tests;

/// <summary>
/// What the rendered Roles, ClusterRoles and their bindings allow one service account, decided as Kubernetes'
/// RBAC authorizer does: a request is allowed when some rule of some role bound to the subject matches its
/// verb, API group and resource, a RoleBinding's rules only in the binding's namespace, a ClusterRoleBinding's
/// everywhere. Nothing is denied explicitly; there are no wildcards in our roles, and the evaluator honours "*".
/// </summary>
sealed record Rbac(IReadOnlyList<(string? Namespace, JsonObject Rule)> Rules)
{
    public static Rbac For(Manifests m, string ns, string serviceAccount)
    {
        bool Binds(JsonObject binding) => (binding["subjects"]?.AsArray() ?? []).Any(s =>
            (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == serviceAccount && (string?)s["namespace"] == ns);
        IEnumerable<JsonObject> RulesOf(string kind, string name, string? roleNs) =>
            m.Objects.Where(o => (string?)o["kind"] == kind && (string?)o["metadata"]!["name"] == name
                                 && (kind == "ClusterRole" || (string?)o["metadata"]!["namespace"] == roleNs))
                .SelectMany(o => o["rules"]?.AsArray() ?? []).Select(r => r!.AsObject());
        var rules = new List<(string?, JsonObject)>();
        foreach (var b in m.OfKind("RoleBinding").Where(Binds))
        {
            var bns = (string?)b["metadata"]!["namespace"];
            rules.AddRange(RulesOf((string)b["roleRef"]!["kind"]!, (string)b["roleRef"]!["name"]!, bns).Select(r => ((string?)bns, r)));
        }
        foreach (var b in m.OfKind("ClusterRoleBinding").Where(Binds))
            rules.AddRange(RulesOf("ClusterRole", (string)b["roleRef"]!["name"]!, null).Select(r => ((string?)null, r)));
        return new Rbac(rules);
    }

    /// <summary>What one ClusterRole allows wherever a ClusterRoleBinding grants it (deploy/ leaves people's roles unbound).</summary>
    public static Rbac OfClusterRole(Manifests m, string name) =>
        new([.. m.One("ClusterRole", name)["rules"]!.AsArray().Select(r => ((string?)null, r!.AsObject()))]);

    /// <param name="ns">The request's namespace; null for a cluster-wide request (a list across namespaces, or a cluster-scoped kind).</param>
    public bool Allows(string verb, string group, string resource, string? ns) =>
        Rules.Any(r => (r.Namespace is null || r.Namespace == ns)
                       && Has(r.Rule, "verbs", verb) && Has(r.Rule, "apiGroups", group) && Has(r.Rule, "resources", resource));

    static bool Has(JsonObject rule, string key, string value) =>
        (rule[key]?.AsArray() ?? []).Any(v => (string?)v == value || (string?)v == "*");

    /// <summary>Each allowed (resource.group, verb) pair, "namespaced" or "cluster-wide": what the tests pin.</summary>
    public IEnumerable<string> Grants() =>
        from r in Rules
        from g in r.Rule["apiGroups"]!.AsArray()
        from res in r.Rule["resources"]!.AsArray()
        from v in r.Rule["verbs"]!.AsArray()
        let qualified = (string)g! == "" ? (string)res! : $"{res}.{g}"
        orderby qualified, (string)v!
        select $"{qualified} {v} ({(r.Namespace is null ? "cluster-wide" : "in " + r.Namespace)})";
}
