using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Ranges;

namespace Whereabouts.Core.Config;

public sealed record Route(Cidr Destination, Option<Address> Gateway);

public sealed record Dns(Seq<string> Nameservers, string Domain, Seq<string> Search, Seq<string> Options)
{
    public static readonly Dns None = new(Seq<string>.Empty, "", Seq<string>.Empty, Seq<string>.Empty);
}

public sealed record StaticAddress(Cidr Address, Option<Address> Gateway);

/// <summary>Where allocations live.</summary>
public abstract record DatastoreSettings
{
    DatastoreSettings() { }

    public sealed record Kubernetes(string Kubeconfig) : DatastoreSettings;

    public sealed record Etcd(Seq<string> Endpoints, string Username, string Password, string KeyFile, string CertFile, string CaCertFile) : DatastoreSettings;

    public sealed record File(string Dir) : DatastoreSettings;
}

public enum LogLevel { Error, Verbose, Debug }

/// <summary>A validated IPAM configuration: every value parsed, every cross-check done.</summary>
public sealed record IpamSettings(
    Seq<RangeSpec> Ranges,
    Option<Address> Gateway,
    Seq<Route> Routes,
    Dns Dns,
    Seq<StaticAddress> Addresses,
    string NetworkName,
    bool OverlappingRanges,
    Option<int> NodeSliceSize,
    DatastoreSettings Datastore,
    string LogFile,
    LogLevel LogLevel);
