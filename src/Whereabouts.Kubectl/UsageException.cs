namespace Whereabouts.Kubectl;

/// <summary>The command line names something that cannot be used (a missing directory, a malformed value): exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);
