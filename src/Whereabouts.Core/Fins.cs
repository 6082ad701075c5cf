using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;

namespace Whereabouts.Core;

/// <summary>
/// Traversal of a sequence with a fallible function: all results, or the first failure.
/// Hand-written on purpose: LanguageExt's own Sequence/Traverse go through nested type-class generics that
/// make the Native AOT compiler expand generic instantiations without bound (a 10 GB, 20-minute ILC run was
/// measured), so neither is used anywhere in code that ships AOT.
/// </summary>
public static class Fins
{
    public static Fin<ImmutableArray<B>> TraverseAll<A, B>(this IEnumerable<A> items, Func<A, Fin<B>> f)
    {
        var results = new List<B>();
        foreach (var item in items)
        {
            var failure = f(item).Match(Succ: b => { results.Add(b); return (Error?)null; }, Fail: e => e);
            if (failure is not null) return failure;
        }
        return results.ToImmutableArray();
    }
}
