using LanguageExt.Common;

namespace Whereabouts.Core;

/// <summary>
/// An expected failure, typed by what went wrong. <see cref="Msg"/> and <see cref="Details"/> are the CNI
/// error's fields as the runtime shows them; <see cref="Expected.Message"/> joins them for logs. Where a
/// failure becomes CNI JSON (<see cref="Cni.CniError.From"/>) it is matched by this type, never by its text.
/// </summary>
public abstract record ExpectedError(string Msg, string Details, int CniCode)
    : Expected(Details.Length > 0 ? $"{Msg}: {Details}" : Msg, CniCode, default);

/// <summary>1: the configuration's cniVersion does not have this verb, or is not one we speak.</summary>
public sealed record IncompatibleVersion(string Text) : ExpectedError(Text, "", Errors.IncompatibleVersionCode);

/// <summary>4: the CNI_* environment (or CNI_ARGS) is missing or malformed.</summary>
public sealed record InvalidEnvironment(string Text) : ExpectedError(Text, "", Errors.InvalidEnvironmentCode);

/// <summary>5: a file the plugin must read or write failed at the operating-system level.</summary>
public sealed record IoFailure(string Text) : ExpectedError(Text, "", Errors.IoFailureCode);

/// <summary>6: stdin is not the JSON a network configuration is.</summary>
public sealed record DecodeFailure(string Text) : ExpectedError(Text, "", Errors.DecodeFailureCode);

/// <summary>7: the configuration is wrong; a list of problems goes in details under a short msg.</summary>
public sealed record InvalidConfig(string Summary, string Problems) : ExpectedError(Summary, Problems, Errors.InvalidConfigCode);

/// <summary>11: nothing is wrong with the request, the datastore is busy or away: the runtime should retry.</summary>
public sealed record TryAgainLater(string Text) : ExpectedError(Text, "", Errors.TryAgainLaterCode);

/// <summary>50: the datastore refuses us for good (credentials, trust) until an operator acts.</summary>
public sealed record StoreUnavailable(string Text) : ExpectedError(Text, "", Errors.StoreUnavailableCode);

/// <summary>100–106: the allocation itself cannot be made or undone as asked.</summary>
public sealed record AllocationFailure(string Text, int Code) : ExpectedError(Text, "", Code);

/// <summary>999: a bug or an environment nobody foresaw, reported rather than crashing.</summary>
public sealed record InternalFailure(string Text) : ExpectedError(Text, "", Errors.InternalCode);
