namespace Bifrost.Store.Sqlite;

/// <summary>Where the database lives and how the store treats it.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>Path of the database file (e.g. <c>/var/lib/bifrost/bifrost.db</c>); run the migrator on it first.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>History entries kept per node; older ones are deleted as new ones arrive.</summary>
    public int MaxHistoryPerNode { get; init; } = 500;

    /// <summary>How long a statement waits for another connection's write lock before failing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
