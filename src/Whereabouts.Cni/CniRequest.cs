using LanguageExt;
using LanguageExt.Common;

namespace Whereabouts.Cni;

/// <summary>The CNI_* environment of one invocation, checked for what its verb requires.</summary>
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

    public static Fin<CniRequest> From(Func<string, string?> env)
    {
        var command = env("CNI_COMMAND") ?? "";
        if (command.Length == 0) return Error.New(Core.Errors.InvalidEnvironmentCode, "CNI_COMMAND is not set; this is a CNI plugin, run by a container runtime");
        var required = Required(command);
        if (required is null) return Error.New(Core.Errors.InvalidEnvironmentCode, $"CNI_COMMAND \"{command}\" is not one of ADD, DEL, CHECK, GC, STATUS, VERSION");
        var missing = required.Where(v => string.IsNullOrEmpty(env(v))).ToArray();
        if (missing.Length > 0) return Error.New(Core.Errors.InvalidEnvironmentCode, $"required environment variables missing for {command}: {string.Join(", ", missing)}");
        return from args in CniArgs.Parse(env("CNI_ARGS"))
               select new CniRequest(command, env("CNI_CONTAINERID") ?? "", env("CNI_NETNS") ?? "", env("CNI_IFNAME") ?? "", args, env("CNI_PATH") ?? "");
    }
}
