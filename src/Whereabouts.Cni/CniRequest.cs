using LanguageExt;
using LanguageExt.Common;

namespace Whereabouts.Cni;

/// <summary>
/// The CNI_* environment of one invocation, checked for what its verb requires and validated as the
/// reference library (containernetworking/cni pkg/utils) validates it: a container ID and the network name
/// match <c>^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$</c>; an interface name is 1 to 15 bytes, not "." or "..", without
/// '/', ':' or whitespace. Bad environment is code 4, a bad network name code 7, as there.
/// </summary>
public sealed record CniRequest(string Command, string ContainerId, string Netns, string IfName, CniArgs Args, string Path)
{
    // Required variables per verb, as the reference library checks them. A switch, not a LanguageExt Map:
    // Map's first use resolves its ordering by reflection, which cost ~0.5 ms of every run under Native AOT.
    static string[]? Required(string command) => command switch
    {
        "ADD" or "CHECK" => ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"],
        "DEL" => ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"],
        "GC" or "STATUS" => ["CNI_PATH"],
        "VERSION" => [],
        _ => null,
    };

    /// <summary>The linux kernel's IFNAMSIZ less the terminating NUL.</summary>
    const int MaxInterfaceNameBytes = 15;

    public static bool IsVerb(string? command) => command is not null && Required(command) is not null;

    public static Fin<CniRequest> From(Func<string, string?> env)
    {
        var command = env("CNI_COMMAND") ?? "";
        if (command.Length == 0) return Core.Errors.InvalidEnvironment("CNI_COMMAND is not set; this is a CNI plugin, run by a container runtime");
        var required = Required(command);
        if (required is null) return Core.Errors.InvalidEnvironment($"CNI_COMMAND \"{Shown(command)}\" is not one of ADD, DEL, CHECK, GC, STATUS, VERSION");
        var missing = required.Where(v => string.IsNullOrEmpty(env(v))).ToArray();
        if (missing.Length > 0) return Core.Errors.InvalidEnvironment($"required environment variables missing for {command}: {string.Join(", ", missing)}");
        var containerId = env("CNI_CONTAINERID") ?? "";
        var ifName = env("CNI_IFNAME") ?? "";
        if (containerId.Length > 0 && !IsValidName(containerId))
            return Core.Errors.InvalidEnvironment($"CNI_CONTAINERID \"{Shown(containerId)}\" has invalid characters: it must start with a letter or digit and hold only letters, digits, '_', '.' and '-'");
        if (ifName.Length > 0 && InterfaceNameProblem(ifName) is { } why)
            return Core.Errors.InvalidEnvironment($"CNI_IFNAME \"{Shown(ifName)}\" is not a valid interface name: {why}");
        return from args in CniArgs.Parse(env("CNI_ARGS"))
               select new CniRequest(command, containerId, env("CNI_NETNS") ?? "", ifName, args, env("CNI_PATH") ?? "");
    }

    /// <summary>The network configuration's "name": required, and of the same characters as a container ID.</summary>
    public static Fin<Unit> CheckNetworkName(string name) =>
        name.Length == 0
            ? Core.Errors.InvalidConfig("the network configuration has no \"name\"; give the network a name")
            : IsValidName(name)
                ? Fin<Unit>.Succ(Unit.Default)
                : Core.Errors.InvalidConfig($"network name \"{Shown(name)}\" has invalid characters: it must start with a letter or digit and hold only letters, digits, '_', '.' and '-'");

    /// <summary>^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$, as a loop: a Regex costs every plugin process its start-up.</summary>
    static bool IsValidName(string s)
    {
        if (s.Length == 0 || !char.IsAsciiLetterOrDigit(s[0])) return false;
        foreach (var c in s)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-')) return false;
        return true;
    }

    static string? InterfaceNameProblem(string name) =>
        System.Text.Encoding.UTF8.GetByteCount(name) > MaxInterfaceNameBytes ? $"it is longer than {MaxInterfaceNameBytes} bytes"
        : name is "." or ".." ? "it is \".\" or \"..\""
        : name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)) ? "it contains '/', ':' or whitespace"
        : null;

    /// <summary>A value from the environment as a message shows it: control characters escaped, long ones cut.</summary>
    internal static string Shown(string value)
    {
        var cut = value.Length > 64 ? value[..64] + "…" : value;
        return string.Concat(cut.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
