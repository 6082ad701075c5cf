namespace Whereabouts.Cni;

/// <summary>
/// One CNI invocation as it arrives: its environment, and stdin, read only when the verb is known (a process
/// started without CNI_COMMAND is told so at once rather than left waiting on a terminal).
/// </summary>
public sealed record CniCall(Func<string, string?> Env, Func<ReadOnlyMemory<byte>> ReadStdin);

/// <summary>What the runtime gets back: the exit code, and stdout (a result, a version list, or CNI error JSON; may be empty).</summary>
public sealed record CniReply(int ExitCode, string Stdout)
{
    /// <summary>A process that serves only its own datastore was asked about another: the caller runs the request itself.</summary>
    public bool Declined { get; init; }

    public static readonly CniReply NotServedHere = new(0, "") { Declined = true };
}
