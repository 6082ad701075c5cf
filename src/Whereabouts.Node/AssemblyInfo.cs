// A node agent runs on Linux nodes only (Unix socket modes, lstat).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
