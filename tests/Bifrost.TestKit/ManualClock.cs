namespace Bifrost.TestKit;

/// <summary>
/// A clock whose "now" only moves when a test says so. Timers and delays still run on real time (the base
/// TimeProvider's), so code that sleeps keeps working while timestamps and timeouts are under the test's control.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public ManualClock() : this(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (this) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (this) _now += by;
    }
}
