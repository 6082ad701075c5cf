using System.Collections.Immutable;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Config;

public sealed record Route(Cidr Destination, Option<Address> Gateway);

public sealed record Dns(ImmutableArray<string> Nameservers, string Domain, ImmutableArray<string> Search, ImmutableArray<string> Options)
{
    public static readonly Dns None = new(ImmutableArray<string>.Empty, "", ImmutableArray<string>.Empty, ImmutableArray<string>.Empty);
}

public sealed record StaticAddress(Cidr Address, Option<Address> Gateway);

/// <summary>Where allocations live.</summary>
public abstract record DatastoreSettings
{
    DatastoreSettings() { }

    public sealed record Kubernetes(string Kubeconfig) : DatastoreSettings;

    public sealed record Etcd(ImmutableArray<string> Endpoints, string Username, string Password, string KeyFile, string CertFile, string CaCertFile) : DatastoreSettings;

    public sealed record File(string Dir) : DatastoreSettings;
}

public enum LogLevel { Error, Verbose, Debug }

/// <summary>A validated IPAM configuration: every value parsed, every cross-check done.</summary>
public sealed record IpamSettings(
    ImmutableArray<RangeSpec> Ranges,
    Option<Address> Gateway,
    ImmutableArray<Route> Routes,
    Dns Dns,
    ImmutableArray<StaticAddress> Addresses,
    string NetworkName,
    bool OverlappingRanges,
    Option<int> NodeSliceSize,
    DatastoreSettings Datastore,
    string LogFile,
    LogLevel LogLevel)
{
    /// <summary>configuration_path: where the flat file is; node-slice mode also looks for "nodename" beside it.</summary>
    public string ConfigurationPath { get; init; } = "";
}
