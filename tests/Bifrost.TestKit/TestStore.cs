using Bifrost.Store.Sqlite;
using Microsoft.Data.Sqlite;

namespace Bifrost.TestKit;

/// <summary>A migrated SQLite database in its own temp directory, with a store over it.</summary>
public sealed class TestStore : IAsyncDisposable
{
    private TestStore(TempDirectory directory, string databasePath, SqliteNodeStore store)
    {
        Directory = directory;
        DatabasePath = databasePath;
        Store = store;
    }

    public SqliteNodeStore Store { get; }
    public string DatabasePath { get; }
    public TempDirectory Directory { get; }

    public static async Task<TestStore> CreateAsync(int maxHistoryPerNode = 500, TimeProvider? time = null)
    {
        var directory = new TempDirectory("bifrost-store");
        try
        {
            var path = Path.Combine(directory.Path, "bifrost.db");
            await SqliteMigrator.MigrateAsync(path);
            var store = new SqliteNodeStore(new SqliteStoreOptions { DatabasePath = path, MaxHistoryPerNode = maxHistoryPerNode }, time);
            return new TestStore(directory, path, store);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Another store over the same file, as a second process would have.</summary>
    public SqliteNodeStore OpenAnother(int maxHistoryPerNode = 500, TimeProvider? time = null) =>
        new(new SqliteStoreOptions { DatabasePath = DatabasePath, MaxHistoryPerNode = maxHistoryPerNode }, time);

    public ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; close them so the directory can go.
        using (var connection = new SqliteConnection(Store.ConnectionString)) SqliteConnection.ClearPool(connection);
        Directory.Dispose();
        return ValueTask.CompletedTask;
    }
}
