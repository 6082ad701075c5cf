using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;

namespace Whereabouts.Core.Cni;

/// <summary>A CNI specification version this plugin speaks: 0.1.0 through 1.1.0.</summary>
public readonly record struct CniVersion(int Major, int Minor, int Patch) : IComparable<CniVersion>
{
    public static readonly ImmutableArray<CniVersion> Supported = ImmutableArray.Create(
        new CniVersion(0, 1, 0), new CniVersion(0, 2, 0), new CniVersion(0, 3, 0), new CniVersion(0, 3, 1),
        new CniVersion(0, 4, 0), new CniVersion(1, 0, 0), new CniVersion(1, 1, 0));

    public static readonly CniVersion Latest = new(1, 1, 0);
    public static readonly CniVersion V040 = new(0, 4, 0);
    public static readonly CniVersion V030 = new(0, 3, 0);
    public static readonly CniVersion V100 = new(1, 0, 0);

    /// <summary>An absent cniVersion means 0.1.0, as in the reference library.</summary>
    public static Fin<CniVersion> Parse(string text)
    {
        if (text.Length == 0) return new CniVersion(0, 1, 0);
        var found = Supported.Find(v => v.ToString() == text);
        return found.Match(
            v => Fin<CniVersion>.Succ(v),
            () => Errors.IncompatibleVersion($"cniVersion \"{text}\" is not supported; use one of {string.Join(", ", Supported)}"));
    }

    public int CompareTo(CniVersion other) => (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));

    public static bool operator <(CniVersion a, CniVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(CniVersion a, CniVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(CniVersion a, CniVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(CniVersion a, CniVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
