namespace Whereabouts.KubeTestServer;

/// <summary>What an injected fault does to one request.</summary>
public enum FaultKind
{
    /// <summary>500 InternalError Status; the store is not touched.</summary>
    InternalServerError,

    /// <summary>429 TooManyRequests Status with <c>Retry-After: 1</c>; the store is not touched.</summary>
    TooManyRequests,

    /// <summary>Connection aborted with no response; the store is not touched.</summary>
    DropConnection,

    /// <summary>
    /// The write is committed, then the connection is aborted. Models a client timeout after
    /// etcd committed: the client cannot tell whether its write happened. Only hits write verbs.
    /// </summary>
    ApplyThenDrop,
}
