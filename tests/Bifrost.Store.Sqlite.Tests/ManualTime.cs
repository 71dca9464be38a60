namespace Bifrost.Store.Sqlite.Tests;

/// <summary>A clock the test moves by hand, so updated_at values are known exactly.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
