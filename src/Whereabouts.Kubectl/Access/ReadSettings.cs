using System.ComponentModel;
using Spectre.Console.Cli;
using Whereabouts.Kubectl.Output;

namespace Whereabouts.Kubectl.Access;

/// <summary>The settings of a command that reports: how it prints.</summary>
public class ReadSettings : AccessSettings
{
    [CommandOption("-o|--output <FORMAT>")]
    [Description("table (default), json or yaml")]
    [DefaultValue(OutputFormat.Table)]
    public OutputFormat Output { get; init; } = OutputFormat.Table;
}
