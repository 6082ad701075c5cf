using System.Globalization;

namespace Whereabouts.Kubectl.Output;

/// <summary>Ages as kubectl prints them: two units while short, one once long ("45s", "5m30s", "3h", "2d4h", "400d").</summary>
public static class Ages
{
    public static string Of(TimeSpan? age)
    {
        if (age is not { } a) return "-";
        if (a < TimeSpan.Zero) a = TimeSpan.Zero;
        string N(double v) => ((long)v).ToString(CultureInfo.InvariantCulture);
        if (a.TotalSeconds < 120) return N(a.TotalSeconds) + "s";
        if (a.TotalMinutes < 10) return a.Seconds == 0 ? N(a.TotalMinutes) + "m" : $"{N(a.TotalMinutes)}m{a.Seconds}s";
        if (a.TotalHours < 3) return N(a.TotalMinutes) + "m";
        if (a.TotalHours < 8) return a.Minutes == 0 ? N(a.TotalHours) + "h" : $"{N(a.TotalHours)}h{a.Minutes}m";
        if (a.TotalHours < 48) return N(a.TotalHours) + "h";
        if (a.TotalDays < 8) return a.Hours == 0 ? N(a.TotalDays) + "d" : $"{N(a.TotalDays)}d{a.Hours}h";
        return N(a.TotalDays) + "d";
    }
}
