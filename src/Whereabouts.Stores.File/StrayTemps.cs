namespace Whereabouts.Stores.FileStore;

/// <summary>
/// Removes the temporary files killed writers left in a store directory. A write's temporary file lives only
/// while its writer holds the lock (milliseconds), and the next write of the same document removes its stale
/// one; this sweep is for the rest (documents never written again). Only our own names
/// (<c>NAME.json.tmp</c>, and <c>NAME.json.PID.tmp</c> of earlier versions), only regular files, only ones
/// untouched for <see cref="MinimumAge"/>, so a live writer's file is never taken.
/// </summary>
public static class StrayTemps
{
    public static readonly TimeSpan MinimumAge = TimeSpan.FromSeconds(30);

    /// <summary>The names removed.</summary>
    public static IReadOnlyList<string> Sweep(string dir, DateTimeOffset now)
    {
        var removed = new List<string>();
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, "*.tmp").ToList(); }
        catch (DirectoryNotFoundException) { return removed; }
        foreach (var path in candidates)
        {
            if (!IsOurs(Path.GetFileName(path))) continue;
            if (SafeFile.LStat(path) is not { } stat || stat.Type != Posix.Regular) continue;
            if (now.ToUnixTimeSeconds() - stat.ModifiedUnixSeconds < (long)MinimumAge.TotalSeconds) continue;
            try { if (SafeFile.Remove(path)) removed.Add(path); }
            catch (IOException) { } // another sweep got it, or it is not ours to remove
        }
        return removed;
    }

    /// <summary><c>NAME.json.tmp</c> or <c>NAME.json.DIGITS.tmp</c>.</summary>
    public static bool IsOurs(string name)
    {
        if (!name.EndsWith(".tmp", StringComparison.Ordinal)) return false;
        var stem = name[..^4];
        if (stem.EndsWith(".json", StringComparison.Ordinal)) return stem.Length > 5;
        var dot = stem.LastIndexOf('.');
        return dot > 0 && stem[(dot + 1)..] is { Length: > 0 } pid && pid.All(char.IsAsciiDigit)
            && stem[..dot].EndsWith(".json", StringComparison.Ordinal) && dot > 5;
    }
}
