using CsCheck;
using LanguageExt.Common;
using Whereabouts.Core.Cni;

namespace Whereabouts.Core.Tests.Cni;

/// <summary>Typed errors become CNI errors by their type: the text is never read to decide code, msg or details.</summary>
public sealed class ExpectedErrorTests
{
    static readonly int[] CniCodes =
    [
        Errors.IncompatibleVersionCode, Errors.InvalidEnvironmentCode, Errors.IoFailureCode, Errors.DecodeFailureCode,
        Errors.InvalidConfigCode, Errors.TryAgainLaterCode, Errors.StoreUnavailableCode, Errors.RangeExhaustedCode,
        Errors.AddressTakenCode, Errors.RequestedOutsideRangesCode, Errors.AllocationMissingCode, Errors.AllocationMismatchCode,
        Errors.CorruptPoolCode, Errors.PoolTooLargeCode, Errors.InternalCode,
    ];

    [Fact]
    public void AStoreCodeBecomesTheErrorOfThatCodeWithItsTextAsMsg() =>
        Gen.Select(Gen.Int[0, CniCodes.Length - 1].Select(i => CniCodes[i]), Gen.String).Sample((code, text) =>
        {
            var error = Errors.OfCode(code, text);
            Assert.IsAssignableFrom<ExpectedError>(error);
            Assert.Equal(new CniError(code, text, ""), CniError.From(error));
        });

    [Fact]
    public void ACodeNoKindHasIsInternal() =>
        Gen.Int.Where(c => !CniCodes.Contains(c)).Sample(code =>
            Assert.Equal(Errors.InternalCode, CniError.From(Errors.OfCode(code, "odd")).Code));

    [Fact]
    public void AMessageThatLooksLikeAnIpamProblemListIsNotSplit()
    {
        var error = CniError.From(Errors.InvalidConfig("invalid IPAM configuration: range: is required"));
        Assert.Equal(new CniError(Errors.InvalidConfigCode, "invalid IPAM configuration: range: is required", ""), error);
    }

    [Fact]
    public void AnIpamProblemListKeepsItsJoinedTextAsTheMessageForLogs()
    {
        var error = Errors.InvalidIpam("range: is required; gateway: bad");
        Assert.Equal("invalid IPAM configuration: range: is required; gateway: bad", error.Message);
        Assert.Equal(Errors.InvalidConfigCode, error.Code);
        Assert.True(error.IsExpected);
    }
}
