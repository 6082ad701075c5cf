using System.Reflection;
using NetArchTest.Rules;
using Whereabouts.Core.Addresses;

namespace Whereabouts.Core.Tests;

/// <summary>The functional core stays pure: no shell assembly, no HTTP, no Kubernetes or etcd client, no I/O types.</summary>
public sealed class ArchitectureTests
{
    static readonly Assembly Core = typeof(Address).Assembly;

    static string[] ReferencedNames => Core.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();

    [Fact]
    public void CoreReferencesNoOtherWhereaboutsAssembly() =>
        Assert.DoesNotContain(ReferencedNames, n => n.StartsWith("Whereabouts", StringComparison.Ordinal) && n != Core.GetName().Name);

    [Fact]
    public void CoreReferencesNoHttpAssembly() =>
        Assert.DoesNotContain(ReferencedNames, n => n.StartsWith("System.Net.Http", StringComparison.Ordinal));

    [Fact]
    public void CoreReferencesNoKubernetesEtcdOrGrpcClient() =>
        Assert.DoesNotContain(ReferencedNames, n =>
            n.StartsWith("KubernetesClient", StringComparison.Ordinal) || n.Contains("etcd", StringComparison.OrdinalIgnoreCase)
            || n.StartsWith("Grpc", StringComparison.Ordinal) || n.StartsWith("Google.Protobuf", StringComparison.Ordinal));

    /// <remarks>
    /// System.Environment is not listed: every C# iterator's generated code reads
    /// Environment.CurrentManagedThreadId. Source use of it is banned in Core by BannedSymbols.txt instead.
    /// </remarks>
    [Fact]
    public void CoreTypesDependOnNoShellNamespaceOrIoType()
    {
        var result = Types.InAssembly(Core).ShouldNot().HaveDependencyOnAny(
                "Whereabouts.Stores", "Whereabouts.Cni.", "Whereabouts.Controller", "Whereabouts.Kubectl",
                "k8s", "dotnet_etcd", "Etcdserverpb", "Grpc", "System.Net.Http", "System.Net.Sockets.Socket",
                "System.IO.File", "System.IO.Directory", "System.Console", "System.Random",
                "System.Threading.Tasks.Task", "System.Diagnostics.Process")
            .GetResult();
        Assert.True(result.IsSuccessful, "Core types with forbidden dependencies: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void TheRuleFindsADependencyWhereThereIsOne()
    {
        // Guards against a rule that can never fail: this test assembly does depend on xunit.
        var result = Types.InAssembly(typeof(ArchitectureTests).Assembly).ShouldNot().HaveDependencyOn("Xunit").GetResult();
        Assert.False(result.IsSuccessful);
    }

    [Fact]
    public void CoreReferencesOnlyTheBclAndLanguageExt() =>
        Assert.All(ReferencedNames, n => Assert.True(
            n is "netstandard" or "LanguageExt.Core" || n.StartsWith("System", StringComparison.Ordinal) || n.StartsWith("Microsoft.Win32", StringComparison.Ordinal),
            $"Core references {n}"));
}
