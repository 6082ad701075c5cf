using LanguageExt;

namespace Whereabouts.Core.Cni;

/// <summary>
/// The CNI_* environment of one invocation, checked for what its verb requires and validated as the
/// reference library (containernetworking/cni pkg/utils) validates it: a container ID and the network name
/// match <c>^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$</c>; an interface name is 1 to 15 bytes, not "." or "..", without
/// '/', ':' or whitespace. Bad environment is code 4, a bad network name code 7, as there.
/// </summary>
public sealed record CniEnvironment(CniVerb Verb, string ContainerId, string Netns, string IfName, CniArgs Args, string Path)
{
    /// <summary>The linux kernel's IFNAMSIZ less the terminating NUL.</summary>
    const int MaxInterfaceNameBytes = 15;

    public static Fin<CniEnvironment> From(Func<string, string?> env)
    {
        var command = env("CNI_COMMAND") ?? "";
        if (command.Length == 0) return Errors.InvalidEnvironment("CNI_COMMAND is not set; this is a CNI plugin, run by a container runtime");
        if (CniVerb.Named(command) is not { } verb) return Errors.InvalidEnvironment($"CNI_COMMAND \"{Shown(command)}\" is not one of {CniVerb.Names}");
        List<string>? missing = null;
        foreach (var v in verb.RequiredEnv)
            if (string.IsNullOrEmpty(env(v))) (missing ??= []).Add(v);
        if (missing is not null) return Errors.InvalidEnvironment($"required environment variables missing for {command}: {string.Join(", ", missing)}");
        var containerId = env("CNI_CONTAINERID") ?? "";
        var ifName = env("CNI_IFNAME") ?? "";
        if (containerId.Length > 0 && !IsValidName(containerId))
            return Errors.InvalidEnvironment($"CNI_CONTAINERID \"{Shown(containerId)}\" has invalid characters: it must start with a letter or digit and hold only letters, digits, '_', '.' and '-'");
        if (ifName.Length > 0 && InterfaceNameProblem(ifName) is { } why)
            return Errors.InvalidEnvironment($"CNI_IFNAME \"{Shown(ifName)}\" is not a valid interface name: {why}");
        return from args in CniArgs.Parse(env("CNI_ARGS"))
               select new CniEnvironment(verb, containerId, env("CNI_NETNS") ?? "", ifName, args, env("CNI_PATH") ?? "");
    }

    /// <summary>The network configuration's "name": required, and of the same characters as a container ID.</summary>
    public static Fin<Unit> CheckNetworkName(string name) =>
        name.Length == 0
            ? Errors.InvalidConfig("the network configuration has no \"name\"; give the network a name")
            : IsValidName(name)
                ? Fin<Unit>.Succ(Unit.Default)
                : Errors.InvalidConfig($"network name \"{Shown(name)}\" has invalid characters: it must start with a letter or digit and hold only letters, digits, '_', '.' and '-'");

    /// <summary>^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$, as a loop: a Regex costs every plugin process its start-up.</summary>
    static bool IsValidName(string s)
    {
        if (s.Length == 0 || !char.IsAsciiLetterOrDigit(s[0])) return false;
        foreach (var c in s)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-')) return false;
        return true;
    }

    static string? InterfaceNameProblem(string name)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxInterfaceNameBytes) return $"it is longer than {MaxInterfaceNameBytes} bytes";
        if (name is "." or "..") return "it is \".\" or \"..\"";
        foreach (var c in name)
            if (c is '/' or ':' || char.IsWhiteSpace(c)) return "it contains '/', ':' or whitespace";
        return null;
    }

    /// <summary>A value from the environment as a message shows it: control characters escaped, long ones cut.</summary>
    public static string Shown(string value)
    {
        var cut = value.Length > 64 ? value[..64] + "…" : value;
        var shown = new System.Text.StringBuilder(cut.Length);
        foreach (var c in cut)
            if (char.IsControl(c)) shown.Append($"\\u{(int)c:x4}");
            else shown.Append(c);
        return shown.ToString();
    }
}
