namespace Whereabouts.Kubectl;

/// <summary>The exit codes scripts can rely on (docs/operations.md lists them, and so does --help).</summary>
public static class ExitCodes
{
    /// <summary>Done; for check, nothing is wrong.</summary>
    public const int Ok = 0;
    /// <summary>check found inconsistencies, or release/import refused (nothing was written).</summary>
    public const int Findings = 1;
    /// <summary>The command line is wrong: unknown command or option, a missing or malformed value.</summary>
    public const int Usage = 2;
    /// <summary>The datastore or the API server cannot be used: unreachable, credentials refused, kubeconfig unusable.</summary>
    public const int Unavailable = 3;
    /// <summary>show or release: nothing matches what was named.</summary>
    public const int NotFound = 4;
}
