namespace Whereabouts.Kubectl.Output;

/// <summary>What became of one address in <c>import</c>; JSON and YAML write it in camelCase ("alreadyThere").</summary>
public enum ImportResult { Imported, WouldImport, AlreadyThere, Refused, Conflict, OutsideRange, Failed }

/// <summary>What became of one allocation or reservation in <c>release</c>.</summary>
public enum ReleaseResult { Released, WouldRelease, AlreadyGone, HeldAgain, TakenOver, NotAnAddress }

/// <summary>The words and colour a result has in a table.</summary>
public static class Results
{
    public static string Markup(ImportResult r) => r switch
    {
        ImportResult.Imported => "[green]imported[/]",
        ImportResult.WouldImport => "would import",
        ImportResult.AlreadyThere => "already there",
        ImportResult.Refused => "refused",
        ImportResult.Conflict => "[red]conflict[/]",
        ImportResult.OutsideRange => "[red]outside range[/]",
        _ => "[red]failed[/]",
    };

    public static string Markup(ReleaseResult r) => r switch
    {
        ReleaseResult.Released => "[green]released[/]",
        ReleaseResult.WouldRelease => "would release",
        ReleaseResult.AlreadyGone => "already gone",
        ReleaseResult.HeldAgain => "held again: left",
        ReleaseResult.NotAnAddress => "not an address: left",
        _ => "taken over: left",
    };
}
