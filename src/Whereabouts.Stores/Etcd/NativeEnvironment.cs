using System.Runtime.InteropServices;

namespace Whereabouts.Stores.Etcd;

/// <summary>
/// The C environment, which OpenSSL reads with getenv (Environment.SetEnvironmentVariable only changes .NET's
/// own copy). Call before any TLS work and before other threads could read the environment.
/// </summary>
static partial class NativeEnvironment
{
    public static void Set(string name, string value) => _ = setenv(name, value, 1);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
