using System.Globalization;
using Bifrost.Domain.Errors;
using Bifrost.Domain.Store;
using Microsoft.Data.Sqlite;
using static Bifrost.Store.Sqlite.SqlValues;

namespace Bifrost.Store.Sqlite;

/// <summary>
/// <see cref="INodeStore"/> over one SQLite file in WAL mode. Safe to share and to run several instances (or
/// processes) over the same file: each call opens a pooled connection, and every write is either one conditional
/// statement or a <c>BEGIN IMMEDIATE</c> transaction, so writers queue on SQLite's lock (up to
/// <see cref="SqliteStoreOptions.BusyTimeout"/>) instead of failing on a stale read snapshot.
/// The database must already be migrated (<see cref="SqliteMigrator"/>); the constructor touches nothing.
/// </summary>
public sealed partial class SqliteNodeStore : INodeStore
{
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly string _pragmas;

    public SqliteNodeStore(SqliteStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.DatabasePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHistoryPerNode, 1);
        _options = options;
        _time = time ?? TimeProvider.System;

        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            // ReadWrite, not ReadWriteCreate: a wrong path must fail loudly, not yield an empty, schema-less file.
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            // Microsoft.Data.Sqlite's own retry on SQLITE_BUSY; busy_timeout below does the waiting inside SQLite.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();

        // Per-connection settings (none of them is stored in the file). synchronous=NORMAL is durable enough in WAL
        // mode: a power cut can lose the last commits but never corrupts the database.
        _pragmas = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
    }

    /// <summary>For tests that need to release the pooled file handles of this database.</summary>
    internal string ConnectionString { get; }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            // A pooled connection keeps these already; re-running them costs microseconds and spares us tracking
            // which physical connection is new.
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    /// <summary>The integer id of a node, or null when there is no such node.</summary>
    private static async Task<long?> FindNodeIdAsync(
        SqliteConnection connection, SqliteTransaction? tx, Guid uuid, CancellationToken ct)
    {
        await using var command = Command(connection, "SELECT id FROM nodes WHERE uuid = @uuid", tx);
        command.Parameters.Add("@uuid", Uuid(uuid));
        return await command.ExecuteScalarAsync(ct) is long id ? id : null;
    }

    /// <summary>
    /// "table.column" of a UNIQUE or PRIMARY KEY violation, else null. SQLite names the column only in the message
    /// ("UNIQUE constraint failed: nodes.name"); the extended code tells it is a uniqueness failure.
    /// </summary>
    private static string? UniqueViolation(SqliteException e)
    {
        const int constraintUnique = 2067, constraintPrimaryKey = 1555;
        if (e.SqliteExtendedErrorCode is not (constraintUnique or constraintPrimaryKey)) return null;
        const string marker = "constraint failed: ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var rest = e.Message.AsSpan(at + marker.Length);
        var end = rest.IndexOfAny('\'', ',');
        return (end < 0 ? rest : rest[..end]).Trim().ToString();
    }

    private static BifrostException? MapNodeViolation(SqliteException e, Domain.Nodes.Node node) => UniqueViolation(e) switch
    {
        "nodes.name" => new DuplicateNameException(node.Name ?? ""),
        "nodes.uuid" => new DuplicateUuidException("node", node.Uuid),
        _ => null,
    };

    private static BifrostException? MapPortViolation(SqliteException e, Domain.Nodes.Port port) => UniqueViolation(e) switch
    {
        "ports.address" => new DuplicateMacException(port.Address),
        "ports.uuid" => new DuplicateUuidException("port", port.Uuid),
        _ => null,
    };
}
