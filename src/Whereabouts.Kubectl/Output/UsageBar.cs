using System.Globalization;
using Spectre.Console;

namespace Whereabouts.Kubectl.Output;

/// <summary>A pool's use as a bar of <see cref="Width"/> cells and a percentage: green, yellow above 75 %, red above 90 % (the controller's "nearly full").</summary>
public static class UsageBar
{
    public const int Width = 20;

    public static string Markup(double fraction)
    {
        var clamped = Math.Clamp(fraction, 0, 1);
        var full = (int)Math.Round(clamped * Width, MidpointRounding.AwayFromZero);
        if (full == 0 && fraction > 0) full = 1;
        var colour = fraction > Core.Reclaim.Fullnesses.NearlyFullAbove ? "red" : fraction > 0.75 ? "yellow" : "green";
        return $"[{colour}]{new string('█', full)}[/][grey]{new string('░', Width - full)}[/] {Percent(fraction)}";
    }

    public static string Percent(double fraction) =>
        fraction is > 0 and < 0.00001 ? "<0.001%"
        : (fraction * 100).ToString(fraction < 0.001 ? "0.###" : "0.#", CultureInfo.InvariantCulture) + "%";
}
