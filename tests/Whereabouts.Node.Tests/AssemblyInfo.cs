// The node agent runs on Linux only, and so do its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
