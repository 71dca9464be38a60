using Bifrost.TestKit;
using Microsoft.Data.Sqlite;

namespace Bifrost.Store.Sqlite.Tests;

public class MigratorTests
{
    [Test]
    public async Task Empty_file_is_migrated_from_version_0_to_latest()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bifrost.db");

        var result = await SqliteMigrator.MigrateAsync(path);

        Assert.That(result, Is.EqualTo(new MigrationResult(0, SqliteMigrator.LatestVersion)));
        Assert.That(await ScalarAsync(path, "PRAGMA user_version"), Is.EqualTo((long)SqliteMigrator.LatestVersion));
    }

    [Test]
    public async Task Second_run_is_a_no_op()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bifrost.db");
        await SqliteMigrator.MigrateAsync(path);

        var result = await SqliteMigrator.MigrateAsync(path);

        Assert.That(result, Is.EqualTo(new MigrationResult(SqliteMigrator.LatestVersion, SqliteMigrator.LatestVersion)));
    }

    [Test]
    public async Task Migrated_database_is_in_WAL_mode_for_every_later_connection()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bifrost.db");
        await SqliteMigrator.MigrateAsync(path);

        Assert.That(await ScalarAsync(path, "PRAGMA journal_mode"), Is.EqualTo("wal"));
    }

    [Test]
    public async Task Missing_parent_directories_are_created()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "var", "lib", "bifrost.db");

        await SqliteMigrator.MigrateAsync(path);

        Assert.That(File.Exists(path), Is.True);
    }

    [Test]
    public async Task Database_from_a_newer_Bifrost_is_refused_and_left_alone()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bifrost.db");
        await SqliteMigrator.MigrateAsync(path);
        var newer = SqliteMigrator.LatestVersion + 1;
        await ScalarAsync(path, $"PRAGMA user_version = {newer}");

        var e = Assert.ThrowsAsync<InvalidOperationException>(() => SqliteMigrator.MigrateAsync(path));

        Assert.That(e!.Message, Does.Contain($"database schema version {newer} is newer than this Bifrost supports ({SqliteMigrator.LatestVersion})"));
        Assert.That(await ScalarAsync(path, "PRAGMA user_version"), Is.EqualTo((long)newer));
    }

    [Test]
    public async Task Schema_has_the_tables_the_store_uses()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bifrost.db");
        await SqliteMigrator.MigrateAsync(path);

        var tables = await ScalarAsync(path,
            "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)");

        Assert.That(tables, Is.EqualTo("dhcp_leases,node_history,node_inventory,nodes,ports"));
    }

    [Test]
    public async Task Concurrent_migrations_of_one_file_apply_each_script_once()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bifrost.db");

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SqliteMigrator.MigrateAsync(path))));

        Assert.That(results.Max(r => r.To), Is.EqualTo(SqliteMigrator.LatestVersion));
        Assert.That(await ScalarAsync(path, "PRAGMA user_version"), Is.EqualTo((long)SqliteMigrator.LatestVersion));
    }

    internal static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
