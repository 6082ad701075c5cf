using System.Collections.Immutable;
using LanguageExt;

namespace Whereabouts.Core.Config;

/// <summary>
/// Loops for the configuration's lists. Not LINQ's Select/Somes: under Native AOT every generic LINQ chain
/// over our types resolves its dictionaries and dispatch cells on first call, which every plugin process pays.
/// </summary>
static class Lists
{
    /// <summary>f of each item with its index, keeping the Somes.</summary>
    public static ImmutableArray<B> Choose<A, B>(List<A>? items, Func<A, int, Option<B>> f)
    {
        if (items is null || items.Count == 0) return [];
        var result = ImmutableArray.CreateBuilder<B>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var chosen = f(items[i], i);
            if (chosen.Case is B b) result.Add(b);
        }
        return result.ToImmutable();
    }

    public static ImmutableArray<A> Of<A>(List<A>? items) => items is null ? [] : [.. items];
}
