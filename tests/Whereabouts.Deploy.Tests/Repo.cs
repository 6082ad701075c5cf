namespace Whereabouts.Deploy.Tests;

/// <summary>Where the repository and its build outputs are, from the test assembly's location.</summary>
static class Repo
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Whereabouts.sln"))) return dir.FullName;
        throw new InvalidOperationException("Whereabouts.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>A build output the suite needs: from its environment variable, else artifacts/; a clear failure when neither exists.</summary>
    public static string Artifact(string variable, params string[] relative)
    {
        var path = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } set ? set : Path(["artifacts", .. relative]);
        if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing: run ./test.sh (it publishes the binaries and runs build/image.sh), or set {variable}");
        return path;
    }
}
