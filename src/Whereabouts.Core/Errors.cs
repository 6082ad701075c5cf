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

    public static Error InvalidConfig(string message) => Error.New(InvalidConfigCode, message);

    public static Error RangeExhausted(string range, string allocatable) =>
        Error.New(RangeExhaustedCode,
            $"no free address in range {range} (allocatable: {allocatable}); widen the range, shrink 'exclude', or release addresses");

    public static Error AddressTaken(string address, string holder) =>
        Error.New(AddressTakenCode, $"requested address {address} is already held by {holder}; request another address or release it first");

    public static Error RequestedOutsideRanges(string address) =>
        Error.New(RequestedOutsideRangesCode,
            $"requested address {address} is not allocatable in any configured range; request an address inside 'range'/'ipRanges' that is not excluded");

    public static Error AllocationMissing(string what) => Error.New(AllocationMissingCode, what);

    public static Error AllocationMismatch(string what) => Error.New(AllocationMismatchCode, what);

    public static Error CorruptPool(string pool, string why) =>
        Error.New(CorruptPoolCode, $"stored pool {pool} cannot be read: {why}");

    public static Error CorruptReservation(string reservation, string why) =>
        Error.New(CorruptPoolCode, $"stored reservation {reservation} cannot be read: {why}");

    /// <summary>The datastore refuses to store the pool any larger (etcd's request limit): more retries cannot help.</summary>
    public static Error PoolTooLarge(string pool, string answer) =>
        Error.New(PoolTooLargeCode,
            $"{pool} is full as an object: the datastore refuses to store it any larger ({answer}), though its range may still have free addresses; " +
            "set node_slice_size to split the range into one smaller pool per node, split the range into smaller ranges, or release addresses");
}
