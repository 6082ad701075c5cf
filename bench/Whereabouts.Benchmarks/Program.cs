using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
#if !COLD_ONLY
using BenchmarkDotNet.Running;
#endif
using Whereabouts.Core.Pools;
using Whereabouts.Core.Sets;

namespace Whereabouts.Benchmarks;

/// <summary>
/// <c>--cold [runs]</c>: scenario 3's very first call, timed in fresh processes (a CNI plugin is one process per
/// request), printed as a table. <c>--memory</c>: retained size of the bitmaps, printed as a table. Anything else
/// goes to BenchmarkDotNet, e.g. <c>--filter '*' --job short</c>.
/// </summary>
public static class Program
{
    const string ColdChild = "--cold-child";
    const string OrdChild = "--cold-child-ord";

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == ColdChild) return ColdChildRun();
        if (args.Length > 0 && args[0] == OrdChild) return OrdChildRun();
        if (args.Length > 0 && args[0] == "--cold")
            return ColdParent(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5);
        if (args.Length > 0 && args[0] == "--memory") return Memory();
#if COLD_ONLY
        Console.Error.WriteLine("built with -p:ColdOnly=true: only --cold [runs] and --memory are available");
        return 1;
#else
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
#endif
    }

    // ---- cold start -------------------------------------------------------------------------------------------

    /// <summary>Runs this program <paramref name="runs"/> times with <c>--cold-child</c> and tabulates what each printed.</summary>
    static int ColdParent(int runs)
    {
        var (exe, prefix) = Self();
        Console.WriteLine($"Scenario 3 (decode + decide + encode, 10,000 allocations), first call in a fresh process; {runs} processes.");
        Console.WriteLine($"Runtime: .NET {Environment.Version}, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, " +
                          $"{(IsJit() ? "JIT (tiered)" : "Native AOT")}; {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine("| run | decode ms | decide ms | encode ms | first call total ms | second call ms | steady state ms (mean of 50) | process wall ms |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        if (!Children(exe, prefix, ColdChild, runs)) return 1;
        Console.WriteLine();
        Console.WriteLine("process wall = spawn to exit: runtime start-up, building the 10k-allocation JSON input, the first call and the 51 after it.");
        Console.WriteLine();
        Console.WriteLine("First use of a LanguageExt map keyed by string, alone in a fresh process (the OrdString map first, then the default one):");
        Console.WriteLine();
        Console.WriteLine("| run | Map<OrdString, string, int> add+find ms | Map<string, int> add+find ms (OrdDefault<string>) | assemblies loaded by the latter | process wall ms |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        return Children(exe, prefix, OrdChild, runs) ? 0 : 1;
    }

    /// <summary>Runs <paramref name="runs"/> fresh processes in <paramref name="mode"/>; prints one table row each and the medians.</summary>
    static bool Children(string exe, string[] prefix, string mode, int runs)
    {
        var rows = new List<double[]>();
        for (var r = 1; r <= runs; r++)
        {
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in prefix) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(mode);
            var wall = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var line = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            wall.Stop();
            if (p.ExitCode != 0) { Console.Error.WriteLine($"child failed ({p.ExitCode}): {line}"); return false; }
            var row = line.Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).Append(wall.Elapsed.TotalMilliseconds).ToArray();
            rows.Add(row);
            Console.WriteLine($"| {r} | {string.Join(" | ", row.Select(F))} |");
        }
        var medians = Enumerable.Range(0, rows[0].Length).Select(c => Median(rows.Select(x => x[c]))).ToArray();
        Console.WriteLine($"| median | {string.Join(" | ", medians.Select(F))} |");
        return true;
    }

    /// <summary>
    /// LanguageExt 4's <c>Map&lt;string, V&gt;</c> orders keys with <c>OrdDefault&lt;string&gt;</c>, whose first use
    /// resolves a type-class instance by reflection over the loaded assemblies. Prints "ordString ordDefault assemblies".
    /// </summary>
    static int OrdChildRun()
    {
        var sw = Stopwatch.StartNew();
        var explicitOrd = LanguageExt.Map<LanguageExt.ClassInstances.OrdString, string, int>.Empty.AddOrUpdate("b", 1).AddOrUpdate("a", 2).Find("a");
        var tExplicit = sw.Elapsed.TotalMilliseconds;
        var before = AppDomain.CurrentDomain.GetAssemblies().Length;
        sw.Restart();
        var defaultOrd = LanguageExt.Map<string, int>.Empty.AddOrUpdate("b", 1).AddOrUpdate("a", 2).Find("a");
        var tDefault = sw.Elapsed.TotalMilliseconds;
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Length - before;
        if (explicitOrd != defaultOrd) return 2;
        Console.WriteLine(string.Join(' ', new[] { tExplicit, tDefault, loaded }.Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }

    /// <summary>
    /// Builds the input without touching PoolCodec or System.Text.Json (so nothing on the timed path is JIT-compiled
    /// yet), then times the first call phase by phase. Prints "decode decide encode total second steady" in ms.
    /// </summary>
    static int ColdChildRun()
    {
        var json = Fixtures.PoolJson(Fixtures.V4Range, Fixtures.PoolSize);
        // Config parsing's share of the work (CIDR, pool name, request): done before the pool is read.
        var key = Fixtures.KeyOf(Fixtures.V4Range);
        var request = Fixtures.NewPodAdd(Fixtures.V4Range);

        var sw = Stopwatch.StartNew();
        var state = Fixtures.Get(PoolCodec.Decode(key.Name, json), "decode");
        var tDecode = sw.Elapsed.TotalMilliseconds;
        var plan = Fixtures.Decide(key, state, request);
        var tDecide = sw.Elapsed.TotalMilliseconds;
        var bytes = PoolCodec.Encode(Fixtures.NextOf(plan));
        var tEncode = sw.Elapsed.TotalMilliseconds;
        if (bytes.Length <= json.Length) return 2;

        sw.Restart();
        _ = Fixtures.DecodeDecideEncode(json, key, request);
        var second = sw.Elapsed.TotalMilliseconds;

        const int n = 50;
        sw.Restart();
        for (var i = 0; i < n; i++) _ = Fixtures.DecodeDecideEncode(json, key, request);
        var steady = sw.Elapsed.TotalMilliseconds / n;

        Console.WriteLine(string.Join(' ', new[] { tDecode, tDecide - tDecode, tEncode - tDecide, tEncode, second, steady }
            .Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }

    static (string Exe, string[] Prefix) Self()
    {
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        // Started as "dotnet Whereabouts.Benchmarks.dll": run the dll again through the same host.
        return Path.GetFileNameWithoutExtension(exe) == "dotnet" ? (exe, [Path.Combine(AppContext.BaseDirectory, typeof(Program).Assembly.GetName().Name + ".dll")]) : (exe, []);
    }

    static bool IsJit() => System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported;

    // ---- memory ----------------------------------------------------------------------------------------------------

    /// <summary>Retained bytes of each structure: GC.GetTotalMemory(true) after minus before, inputs kept alive.</summary>
    static int Memory()
    {
        Console.WriteLine($"Retained memory (GC.GetTotalMemory(forceFullCollection: true) after − before; input kept alive). .NET {Environment.Version}.");
        Console.WriteLine();
        Console.WriteLine("| structure | offsets | retained bytes | retained MB | allocated while building (bytes) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Row("OffsetBitmap, IPv4 /16, 1 … 65,533 except 65,530", Fixtures.V4AllButOne(), o => OffsetBitmap.Of(o));
        Row("OffsetBitmap, IPv6 /64, 1 … 1,000,000 (scenario 2)", Fixtures.Sequential(Fixtures.V6Taken), o => OffsetBitmap.Of(o));
        Row("OffsetBitmap, IPv6 /64, 1,000,000 offsets 4,096 apart (one per page, worst case)", Strided(Fixtures.V6Taken, 4096), o => OffsetBitmap.Of(o));
        var json = Fixtures.PoolJson(Fixtures.V4Range, Fixtures.PoolSize);
        var key = Fixtures.KeyOf(Fixtures.V4Range);
        Row("PoolState decoded from 10,000-allocation JSON, bitmap forced", json, j =>
        {
            var s = Fixtures.Get(PoolCodec.Decode(key.Name, j), "decode");
            _ = s.Used;
            return s;
        }, Fixtures.PoolSize);
        return 0;
    }

    static UInt128[] Strided(int count, int stride)
    {
        var offsets = new UInt128[count];
        for (var i = 0; i < count; i++) offsets[i] = (UInt128)i * (UInt128)stride + 1;
        return offsets;
    }

    static void Row<TIn, TOut>(string name, TIn input, Func<TIn, TOut> build, int? count = null) where TIn : class
    {
        var n = count ?? (input as UInt128[])?.Length ?? 0;
        _ = build(input); // JIT and first-touch outside the measurement
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocBefore = GC.GetAllocatedBytesForCurrentThread();
        var built = build(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(input);
        GC.KeepAlive(built);
        var retained = after - before;
        Console.WriteLine($"| {name} | {n:N0} | {retained:N0} | {retained / 1048576.0:F2} | {allocated:N0} |");
    }

    static string F(double ms) => ms.ToString("F2", CultureInfo.InvariantCulture);

    static double Median(IEnumerable<double> xs)
    {
        var a = xs.Order().ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
