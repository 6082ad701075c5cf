// The installer writes POSIX modes and renames over running binaries: Linux only, and so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
