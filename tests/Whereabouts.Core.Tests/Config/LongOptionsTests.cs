using CsCheck;
using Whereabouts.Core.Config;

namespace Whereabouts.Core.Tests.Config;

public sealed class LongOptionsTests
{
    [Fact]
    public void AnEqualsFormIsTheSameAsTwoArguments() =>
        Assert.Equal(["--metrics-address", "127.0.0.1:9273", "--in-cluster", "--kubeconfig", "/a=b", "-n=x", "--=x", "--empty", ""],
            LongOptions.Split(["--metrics-address=127.0.0.1:9273", "--in-cluster", "--kubeconfig=/a=b", "-n=x", "--=x", "--empty="]).ToArray());

    [Fact]
    public void SplittingTwiceChangesNothingMoreAndAnArgumentWithoutEqualsStays()
    {
        // Model: every "--name=value" (name non-empty) becomes two arguments; nothing else changes.
        var arg = Gen.OneOf(Gen.String[Gen.Char["-=ab1"], 0, 8], Gen.String[Gen.Char["ab"], 1, 4].Select(n => "--" + n + "=" + n));
        arg.Array[0, 10].Sample(args =>
        {
            var once = LongOptions.Split(args);
            var expected = args.SelectMany(a => a.StartsWith("--") && a.IndexOf('=') > 2 ? new[] { a[..a.IndexOf('=')], a[(a.IndexOf('=') + 1)..] } : [a]);
            Assert.Equal(expected, once);
            Assert.All(args.Where(a => !a.Contains('=')), a => Assert.Contains(a, once));
        });
    }
}
