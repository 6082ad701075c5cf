// containerd, network namespaces and POSIX modes: Linux only, as root.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
// One containerd and one set of published binaries: the tests take turns (and 2 cores are all CI has).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
