namespace Whereabouts.KubeTestServer;

/// <summary>Start-up settings for <see cref="KubeTestServer"/>. Every property has a usable default.</summary>
public sealed class KubeTestServerOptions
{
    /// <summary>Bearer token clients must send. Null generates a random one.</summary>
    public string? Token { get; init; }

    /// <summary>Seed for the fault injector's random draws. Null seeds from the clock.</summary>
    public int? Seed { get; init; }

    /// <summary>Kinds known up front; defaults to the three whereabouts CRDs.</summary>
    public IReadOnlyList<CustomResourceType> Resources { get; init; } = CustomResourceType.Whereabouts;

    /// <summary>
    /// The real apiserver refuses a PUT on a custom object without metadata.resourceVersion
    /// (422 "must be specified for an update"), because custom resources disallow unconditional
    /// update. Set true to accept it as a blind overwrite instead.
    /// </summary>
    public bool AllowUnconditionalUpdate { get; init; }

    /// <summary>Clock for creationTimestamp; tests can pin it. Defaults to UTC now.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
