using LanguageExt.Common;

namespace Whereabouts.Core;

/// <summary>
/// Expected failures of the core. Each error's code is the CNI error code the plugin reports, so mapping a
/// failure onto CNI output is the identity: 1..11 are the CNI spec's well-known codes, 100+ are ours.
/// </summary>
public static class Errors
{
    public const int IncompatibleVersionCode = 1;
    public const int UnsupportedFieldCode = 2;
    public const int UnknownContainerCode = 3;
    public const int InvalidEnvironmentCode = 4;
    public const int IoFailureCode = 5;
    public const int DecodeFailureCode = 6;
    public const int InvalidConfigCode = 7;
    public const int TryAgainLaterCode = 11;
    public const int StoreUnavailableCode = 50;
    public const int RangeExhaustedCode = 100;
    public const int AddressTakenCode = 101;
    public const int RequestedOutsideRangesCode = 102;
    public const int AllocationMissingCode = 103;
    public const int AllocationMismatchCode = 104;
    public const int CorruptPoolCode = 105;
    public const int InternalCode = 999;
    public const int PoolTooLargeCode = 106;

    /// <summary>Addresses that fail to parse are configuration errors.</summary>
    public const int InvalidAddressCode = InvalidConfigCode;

    public static Error InvalidConfig(string message) => new InvalidConfig(message, "");

    /// <summary>Problems found validating the IPAM object: a short msg, the problems (joined by "; ") in details.</summary>
    public static Error InvalidIpam(string problems) => new InvalidConfig("invalid IPAM configuration", problems);

    public static Error InvalidEnvironment(string message) => new InvalidEnvironment(message);
    public static Error IncompatibleVersion(string message) => new IncompatibleVersion(message);
    public static Error IoFailure(string message) => new IoFailure(message);
    public static Error DecodeFailure(string message) => new DecodeFailure(message);
    public static Error TryAgainLater(string message) => new TryAgainLater(message);
    public static Error StoreUnavailable(string message) => new StoreUnavailable(message);
    public static Error Internal(string message) => new InternalFailure(message);

    /// <summary>
    /// The typed error for a CNI code a store reported (<c>StoreUnavailableException.Code</c>): the store
    /// knows the code, Core knows its kind. An unknown code is a store bug, so internal.
    /// </summary>
    public static Error OfCode(int code, string message) => code switch
    {
        IncompatibleVersionCode => new IncompatibleVersion(message),
        InvalidEnvironmentCode => new InvalidEnvironment(message),
        IoFailureCode => new IoFailure(message),
        DecodeFailureCode => new DecodeFailure(message),
        InvalidConfigCode => new InvalidConfig(message, ""),
        TryAgainLaterCode => new TryAgainLater(message),
        StoreUnavailableCode => new StoreUnavailable(message),
        >= RangeExhaustedCode and <= PoolTooLargeCode => new AllocationFailure(message, code),
        _ => new InternalFailure(message),
    };

    public static Error RangeExhausted(string range, string allocatable) =>
        new AllocationFailure($"no free address in range {range} (allocatable: {allocatable}); widen the range, shrink 'exclude', or release addresses", RangeExhaustedCode);

    public static Error AddressTaken(string address, string holder) =>
        new AllocationFailure($"requested address {address} is already held by {holder}; request another address or release it first", AddressTakenCode);

    public static Error RequestedOutsideRanges(string address) =>
        new AllocationFailure($"requested address {address} is not allocatable in any configured range; request an address inside 'range'/'ipRanges' that is not excluded", RequestedOutsideRangesCode);

    public static Error AllocationMissing(string what) => new AllocationFailure(what, AllocationMissingCode);

    public static Error AllocationMismatch(string what) => new AllocationFailure(what, AllocationMismatchCode);

    public static Error CorruptPool(string pool, string why) =>
        new AllocationFailure($"stored pool {pool} cannot be read: {why}", CorruptPoolCode);

    public static Error CorruptReservation(string reservation, string why) =>
        new AllocationFailure($"stored reservation {reservation} cannot be read: {why}", CorruptPoolCode);

    /// <summary>The datastore refuses to store the pool any larger (etcd's request limit): more retries cannot help.</summary>
    public static Error PoolTooLarge(string pool, string answer) =>
        new AllocationFailure($"{pool} is full as an object: the datastore refuses to store it any larger ({answer}), though its range may still have free addresses; " +
            "set node_slice_size to split the range into one smaller pool per node, split the range into smaller ranges, or release addresses", PoolTooLargeCode);
}
