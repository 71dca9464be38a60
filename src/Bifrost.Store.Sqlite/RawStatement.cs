using System.Buffers.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Bifrost.Store.Sqlite;

/// <summary>
/// A SELECT read straight through SQLite's C API (SQLitePCL.raw) on a Microsoft.Data.Sqlite connection's handle.
/// Why: SqliteDataReader spends four to five native calls per nullable column (data_count and column_type for
/// IsDBNull, again for GetString, then the text), which for a 57-column node row made a 1,000-node list cost
/// ~20 ms. Here a column is one or two calls, and UTF-8 bytes go straight to the JSON, Guid and timestamp parsers
/// without a detour through UTF-16 strings. Writes stay on Microsoft.Data.Sqlite (parameters, transactions, busy
/// retries); this type is only for reading rows.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _stmt;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        var rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out _stmt);
        SqliteException.ThrowExceptionForRC(rc, connection.Handle);
    }

    public void Bind(string name, object? value)
    {
        var index = raw.sqlite3_bind_parameter_index(_stmt, name);
        if (index == 0) throw new InvalidOperationException($"The statement has no parameter {name}.");
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_stmt, index),
            string s => raw.sqlite3_bind_text(_stmt, index, s),
            long l => raw.sqlite3_bind_int64(_stmt, index, l),
            int i => raw.sqlite3_bind_int64(_stmt, index, i),
            _ => throw new ArgumentException($"Cannot bind a {value.GetType().Name} to {name}.", nameof(value)),
        };
        SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
    }

    public void Bind(IEnumerable<KeyValuePair<string, object>> parameters)
    {
        foreach (var (name, value) in parameters) Bind(name, value);
    }

    /// <summary>Advances to the next row; false when there is none.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW) return true;
        if (rc == raw.SQLITE_DONE) return false;
        SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        return false;
    }

    public bool IsNull(int column) => raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL;

    /// <summary>The text of a column, null for SQL NULL (sqlite3_column_text returns a null pointer for it).</summary>
    public string? Text(int column) => raw.sqlite3_column_text(_stmt, column).utf8_to_string();

    public string RequiredText(int column) => Text(column) ?? throw Corrupt(column, "NULL");

    /// <summary>The column's UTF-8 bytes, valid until the next call on this statement; empty for NULL.</summary>
    public ReadOnlySpan<byte> Utf8(int column) => raw.sqlite3_column_blob(_stmt, column);

    public long Int64(int column) => raw.sqlite3_column_int64(_stmt, column);

    public bool Flag(int column) => Int64(column) != 0;

    public bool? NullableFlag(int column) => IsNull(column) ? null : Int64(column) != 0;

    public Guid Uuid(int column) =>
        Utf8Parser.TryParse(Utf8(column), out Guid value, out _, 'D') ? value : throw Corrupt(column, "not a uuid");

    /// <summary>Reads what <see cref="SqlValues.Timestamp(DateTimeOffset)"/> wrote (round-trip "O" form, UTC).</summary>
    public DateTimeOffset Timestamp(int column) => NullableTimestamp(column) ?? throw Corrupt(column, "NULL");

    public DateTimeOffset? NullableTimestamp(int column)
    {
        var bytes = Utf8(column);
        if (bytes.IsEmpty) return null;
        return Utf8Parser.TryParse(bytes, out DateTimeOffset value, out var used, 'O') && used == bytes.Length
            ? value
            : throw Corrupt(column, "not a timestamp");
    }

    /// <summary>A fresh object per call: callers own what the store returns.</summary>
    public JsonObject JsonObject(int column)
    {
        var bytes = Utf8(column);
        // Most JSON columns of most nodes hold "{}"; skipping the parser for them is a large part of a list's cost.
        if (bytes.SequenceEqual("{}"u8) || bytes.IsEmpty) return [];
        return JsonNode.Parse(bytes) as JsonObject ?? throw Corrupt(column, "not a JSON object");
    }

    public List<string> StringList(int column)
    {
        var bytes = Utf8(column);
        if (bytes.SequenceEqual("[]"u8) || bytes.IsEmpty) return [];
        var array = JsonNode.Parse(bytes) as JsonArray ?? throw Corrupt(column, "not a JSON array");
        var list = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not null) list.Add(item.GetValue<string>());
        }

        return list;
    }

    public void Dispose() => _stmt.Dispose();

    private InvalidOperationException Corrupt(int column, string what) =>
        new($"Column {raw.sqlite3_column_name(_stmt, column).utf8_to_string()} holds an unexpected value ({what}).");
}
