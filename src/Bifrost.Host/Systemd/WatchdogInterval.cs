using System.Globalization;

namespace Bifrost.Host.Systemd;

/// <summary>
/// How often to send WATCHDOG=1: half of <c>$WATCHDOG_USEC</c> (sd_watchdog_enabled(3) recommends pinging at half the
/// timeout), and only when <c>$WATCHDOG_PID</c> is unset or names this process.
/// </summary>
public static class WatchdogInterval
{
    public static TimeSpan? From(string? watchdogUsec, string? watchdogPid, int ownPid)
    {
        if (string.IsNullOrEmpty(watchdogUsec)) return null;
        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec == 0)
            return null;
        if (!string.IsNullOrEmpty(watchdogPid)
            && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != ownPid))
            return null;
        return TimeSpan.FromMicroseconds(usec / 2.0);
    }

    public static TimeSpan? FromEnvironment() => From(
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"),
        Environment.ProcessId);
}
