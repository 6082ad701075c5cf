namespace Whereabouts.Kubectl.Output;

/// <summary>How a read command prints: a table for people, JSON or YAML for scripts (the same fields in both).</summary>
public enum OutputFormat { Table, Json, Yaml }
