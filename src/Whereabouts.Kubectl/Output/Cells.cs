using System.Globalization;
using Spectre.Console;

namespace Whereabouts.Kubectl.Output;

/// <summary>Table cells: markup-escaped text, "-" for nothing, counts without exponents however large the pool.</summary>
public static class Cells
{
    public static string Text(string? s) => string.IsNullOrEmpty(s) ? "[grey]-[/]" : s.EscapeMarkup();

    public static string Count(double n) =>
        n < 1e15 ? n.ToString("#,0", CultureInfo.InvariantCulture) : "2^" + Math.Log2(n).ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>"1 pod", "2 pods".</summary>
    public static string Counted(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    /// <summary>Columns of prose: the only ones that wrap. Names, addresses and bars never break, so a row can be grepped.</summary>
    static readonly string[] Prose = ["HOLDER", "DETAIL"];

    /// <summary>A plain table in the style of kubectl's: a header line, no borders.</summary>
    public static Table Table(params string[] headers)
    {
        var t = new Table().NoBorder().HideRowSeparators();
        t.ShowHeaders = true;
        foreach (var h in headers)
            t.AddColumn(new TableColumn($"[bold]{h}[/]") { Padding = new Padding(0, 0, 2, 0), NoWrap = !Prose.Contains(h) });
        return t;
    }
}
