using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Bifrost.Store.Sqlite;

/// <summary>The schema versions a migration moved the database between (equal when nothing was to do).</summary>
public readonly record struct MigrationResult(int From, int To);

/// <summary>
/// Brings a database file to the newest schema. Migrations are the embedded <c>Migrations/NNNN_name.sql</c>
/// scripts, applied in order, each in its own transaction together with the bump of <c>PRAGMA user_version</c>,
/// so a crash leaves the database at a whole version.
/// </summary>
public static partial class SqliteMigrator
{
    private static readonly IReadOnlyList<Migration> Migrations = LoadMigrations();

    /// <summary>The schema version this build writes.</summary>
    public static int LatestVersion => Migrations.Count;

    /// <summary>
    /// Creates the file (and its directory) when missing, switches it to WAL and applies every pending migration.
    /// Throws <see cref="InvalidOperationException"/> for a database written by a newer Bifrost.
    /// </summary>
    public static async Task<MigrationResult> MigrateAsync(string databasePath, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // A migration runs once at start-up; a pooled handle would only keep the file open afterwards.
            Pooling = false,
        };
        await using var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(ct);

        // Another process may be migrating or serving the same file: wait for its locks rather than fail.
        await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 10000;", ct);
        // journal_mode=WAL is stored in the file, so every later connection (and the sqlite3 CLI) gets it.
        // It cannot change inside a transaction, hence before the migrations.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", ct);
        await ExecuteAsync(connection, null, "PRAGMA foreign_keys=ON;", ct);

        var from = await ReadVersionAsync(connection, null, ct);
        ThrowIfNewer(from);

        var current = from;
        foreach (var migration in Migrations)
        {
            if (migration.Version <= current) continue;

            // BEGIN IMMEDIATE: a second process migrating the same file waits here, then sees our version below.
            await using var tx = connection.BeginTransaction(deferred: false);
            var version = await ReadVersionAsync(connection, tx, ct);
            ThrowIfNewer(version);
            if (version >= migration.Version)
            {
                current = version;
                continue;
            }

            await ExecuteAsync(connection, tx, migration.Sql, ct);
            // user_version lives in the file header, which the transaction covers: script and version commit together.
            await ExecuteAsync(connection, tx, $"PRAGMA user_version = {migration.Version};", ct);
            await tx.CommitAsync(ct);
            current = migration.Version;
        }

        return new MigrationResult(from, current);
    }

    private static void ThrowIfNewer(int version)
    {
        if (version > LatestVersion)
        {
            throw new InvalidOperationException(
                $"database schema version {version} is newer than this Bifrost supports ({LatestVersion}); " +
                "upgrade Bifrost or restore a backup made by this version.");
        }
    }

    private static async Task<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? tx, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private sealed record Migration(int Version, string Name, string Sql);

    private static List<Migration> LoadMigrations()
    {
        var assembly = typeof(SqliteMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            // MSBuild names the resource <RootNamespace>.Migrations.<file>; only the file name carries meaning.
            var match = MigrationName().Match(resource);
            if (!match.Success) continue;
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                ReadResource(assembly, resource)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            // A gap or a duplicate number would silently skip or double-apply a script on some databases.
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException(
                    $"Embedded migrations must be numbered 1..N without gaps; found {migrations[i].Version} " +
                    $"({migrations[i].Name}) at position {i + 1}.");
            }
        }

        return migrations;
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Missing embedded migration {resource}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\.Migrations\.(?<version>\d{4})_(?<name>[A-Za-z0-9_]+)\.sql$")]
    private static partial Regex MigrationName();
}
