using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

/// <summary>
/// Loaded into <c>bifrost serve</c> by <c>DOTNET_STARTUP_HOOKS</c> (bench/idle/breakdown.sh only). Every
/// <c>GCPROBE_INTERVAL</c> seconds it appends one line of the process's own memory numbers to <c>GCPROBE_OUT</c>:
/// the GC's view (heap, committed, fragmentation), JIT output, threads, and glibc malloc's (mallinfo2) — the numbers
/// /proc cannot tell apart. A file named <c>GCPROBE_OUT.collect</c> appearing makes it run a full compacting GC
/// once (to tell what the managed heap could give back); <c>GCPROBE_OUT.trim</c> runs malloc_trim(0).
/// The runtime finds the hook by this exact shape: a class StartupHook without a namespace, static Initialize().
/// </summary>
internal static partial class StartupHook
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("GCPROBE_OUT");
        if (string.IsNullOrEmpty(path)) return;
        var interval = int.TryParse(Environment.GetEnvironmentVariable("GCPROBE_INTERVAL"), out var s) ? s : 5;
        var thread = new Thread(() => Loop(path, TimeSpan.FromSeconds(interval))) { IsBackground = true, Name = "gcprobe" };
        thread.Start();
    }

    private static void Loop(string path, TimeSpan interval)
    {
        while (true)
        {
            Thread.Sleep(interval);
            if (File.Exists(path + ".collect"))
            {
                File.Delete(path + ".collect");
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                File.AppendAllText(path, "# full aggressive GC done\n");
            }
            if (File.Exists(path + ".trim"))
            {
                File.Delete(path + ".trim");
                var released = MallocTrim(0);
                File.AppendAllText(path, $"# malloc_trim(0) released={released}\n");
            }
            File.AppendAllText(path, Sample() + "\n");
        }
    }

    private static string Sample()
    {
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var m = MallInfo2();
        var sb = new StringBuilder();
        void Add(string k, double v) => sb.Append(CultureInfo.InvariantCulture, $"{k}={v:0.##} ");
        const double mb = 1024 * 1024;
        sb.Append(CultureInfo.InvariantCulture, $"t={DateTime.UtcNow:HH:mm:ss} ");
        Add("gc_heap_mb", gc.HeapSizeBytes / mb);
        Add("gc_committed_mb", gc.TotalCommittedBytes / mb);
        Add("gc_fragmented_mb", gc.FragmentedBytes / mb);
        Add("gc_total_memory_mb", GC.GetTotalMemory(false) / mb);
        Add("gc_promoted_mb", gc.PromotedBytes / mb);
        for (var g = 0; g < gc.GenerationInfo.Length; g++)
            Add($"gen{g}_after_mb", gc.GenerationInfo[g].SizeAfterBytes / mb);
        Add("allocated_mb", GC.GetTotalAllocatedBytes() / mb);
        Add("gc_count0", GC.CollectionCount(0));
        Add("gc_count1", GC.CollectionCount(1));
        Add("gc_count2", GC.CollectionCount(2));
        Add("gc_concurrent", gc.Concurrent ? 1 : 0);
        Add("jit_il_kb", System.Runtime.JitInfo.GetCompiledILBytes() / 1024.0);
        Add("jit_methods", System.Runtime.JitInfo.GetCompiledMethodCount());
        Add("threads", System.Diagnostics.Process.GetCurrentProcess().Threads.Count);
        Add("threadpool_threads", ThreadPool.ThreadCount);
        Add("malloc_arena_mb", (double)m.Arena / mb);
        Add("malloc_inuse_mb", (double)m.Uordblks / mb);
        Add("malloc_free_mb", (double)m.Fordblks / mb);
        Add("malloc_mmap_mb", (double)m.Hblkhd / mb);
        Add("malloc_releasable_mb", (double)m.Keepcost / mb);
        if (SqliteMemoryUsed() is { } sqlite) Add("sqlite_mem_mb", sqlite / mb);
        return sb.ToString().TrimEnd();
    }

    // SQLite's own heap (page caches, schemas, statements of every connection), read from the e_sqlite3 library
    // the daemon already loaded (dlopen of the same path returns the same handle).
    private static unsafe long? SqliteMemoryUsed()
    {
        var lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libe_sqlite3.so");
        if (!NativeLibrary.TryLoad(lib, out var handle) || !NativeLibrary.TryGetExport(handle, "sqlite3_memory_used", out var f))
            return null;
        return ((delegate* unmanaged<long>)f)();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2Struct
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2Struct MallInfo2();

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
