using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bifrost.Host.Memory;

/// <summary>
/// When <see cref="IdleTrimPolicy"/> says the daemon went quiet after a burst: one full compacting GC in aggressive
/// mode (the GC decommits its free regions, i.e. the gen0 budget the burst touched: ~55 MB with 1,000 nodes), then
/// glibc's malloc_trim(0) (returns the free pages malloc keeps in its arenas after the burst: ~10 MB). Blocking, but
/// only on a quiet process with a small heap: a few ms, at most once per interval.
/// </summary>
public sealed partial class IdleMemoryTrimmer(IdleTrimPolicy policy, TimeProvider time, ILogger<IdleMemoryTrimmer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(policy.Interval, time);
        policy.ShouldTrim(GC.GetTotalAllocatedBytes());
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                if (policy.ShouldTrim(GC.GetTotalAllocatedBytes())) Trim();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Trim()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var started = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var mallocTrimmed = MallocTrim();
        Log.Trimmed(logger, before >> 20, GC.GetGCMemoryInfo().TotalCommittedBytes >> 20, mallocTrimmed,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>glibc only (Debian); elsewhere (musl, macOS) there is no malloc_trim and nothing to do.</summary>
    private static bool MallocTrim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return malloc_trim(0) != 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int malloc_trim(nuint pad);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug,
            Message = "Idle memory trim: managed heap committed {BeforeMb} MB -> {AfterMb} MB, malloc_trim released pages: {MallocTrimmed}, {ElapsedMs:0.0} ms")]
        public static partial void Trimmed(ILogger logger, long beforeMb, long afterMb, bool mallocTrimmed, double elapsedMs);
    }
}
