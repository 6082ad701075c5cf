using System.Collections.Immutable;
using LanguageExt;

namespace Whereabouts.Core;

/// <summary>
/// LanguageExt-style combinators over <see cref="ImmutableArray{T}"/>, the core's sequence type.
/// Written here because LanguageExt's own <c>Seq&lt;T&gt;</c> cannot be compiled ahead of time: its internal
/// <c>ISeqInternal&lt;ISeqInternal&lt;…&gt;&gt;</c> nesting makes the Native AOT compiler fail ("VTable … not
/// computed by the IL scanner") or grow past 10 GB, measured on a ten-line probe. Fin, Option, Error and Map
/// compile cleanly and stay.
/// </summary>
public static class Arrays
{
    public static ImmutableArray<B> Map<A, B>(this ImmutableArray<A> items, Func<A, B> f)
    {
        var b = ImmutableArray.CreateBuilder<B>(items.Length);
        foreach (var a in items) b.Add(f(a));
        return b.MoveToImmutable();
    }

    public static ImmutableArray<A> Filter<A>(this ImmutableArray<A> items, Func<A, bool> keep) =>
        items.Where(keep).ToImmutableArray();

    public static ImmutableArray<B> Bind<A, B>(this ImmutableArray<A> items, Func<A, ImmutableArray<B>> f) =>
        items.SelectMany(a => f(a)).ToImmutableArray();

    public static S Fold<A, S>(this ImmutableArray<A> items, S state, Func<S, A, S> f)
    {
        foreach (var a in items) state = f(state, a);
        return state;
    }

    public static Option<A> Find<A>(this ImmutableArray<A> items, Func<A, bool> match)
    {
        foreach (var a in items)
            if (match(a)) return a;
        return Option<A>.None;
    }

    public static bool Exists<A>(this ImmutableArray<A> items, Func<A, bool> match) => items.Any(match);

    public static bool ForAll<A>(this ImmutableArray<A> items, Func<A, bool> match) => items.All(match);

    public static ImmutableArray<A> Rev<A>(this ImmutableArray<A> items) => items.Reverse().ToImmutableArray();

    public static ImmutableArray<A> Concat<A>(this ImmutableArray<A> items, Option<A> more) =>
        more.Match(items.Add, () => items);

    /// <summary>Structural equality, which ImmutableArray's own == (reference equality) is not.</summary>
    public static bool SameAs<A>(this ImmutableArray<A> items, ImmutableArray<A> other) => items.SequenceEqual(other);
}
