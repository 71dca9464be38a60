namespace Bifrost.Host.Memory;

/// <summary>
/// Decides when the idle daemon gives back the memory a burst left behind (issue 6, bench/RESULTS.md "Idle RSS
/// breakdown"). Workstation GC sizes its gen0 budget from the L3 cache (≈52 MB on a 105 MB-L3 Xeon), and an idle
/// daemon allocates too slowly to reach it again, so everything a burst touched stays resident for minutes. Sans-I/O:
/// fed the process's total allocated bytes once per <see cref="Interval"/>, it answers "trim now" when the last
/// interval was quiet (under <see cref="BusyBytes"/>, so a running API load is never paused) and at least
/// <see cref="MinAllocatedSinceTrim"/> was allocated since the last trim (so a trim has something to give back).
/// </summary>
public sealed class IdleTrimPolicy(TimeSpan interval, long busyBytes, long minAllocatedSinceTrim)
{
    /// <summary>
    /// Every 10 s; an interval under 4 MiB allocated is quiet (a 1,000-node power sync pass allocates ~21 MB in one
    /// interval, an API under load hundreds of MB/s); 16 MiB since the last trim (a third of a gen0 budget).
    /// </summary>
    public static IdleTrimPolicy CreateDefault() => new(TimeSpan.FromSeconds(10), 4L << 20, 16L << 20);

    private long? _lastSample;
    private long _atLastTrim;

    public TimeSpan Interval { get; } = interval;
    public long BusyBytes { get; } = busyBytes;
    public long MinAllocatedSinceTrim { get; } = minAllocatedSinceTrim;

    /// <summary>One sample of <see cref="GC.GetTotalAllocatedBytes"/>; true when the caller should trim now.</summary>
    public bool ShouldTrim(long totalAllocated)
    {
        if (_lastSample is not { } last)
        {
            // The first sample only sets the baseline: start-up allocations are not a burst to give back.
            _lastSample = _atLastTrim = totalAllocated;
            return false;
        }
        _lastSample = totalAllocated;
        var quiet = totalAllocated - last < BusyBytes;
        if (!quiet || totalAllocated - _atLastTrim < MinAllocatedSinceTrim) return false;
        _atLastTrim = totalAllocated;
        return true;
    }
}
