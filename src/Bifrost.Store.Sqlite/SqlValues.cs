using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Bifrost.Store.Sqlite;

/// <summary>
/// How CLR values become column values; <see cref="RawStatement"/> reads them back. Microsoft.Data.Sqlite's own
/// conversions are avoided on purpose: it binds a Guid as a 16-byte BLOB and a DateTimeOffset as local-offset text,
/// neither of which sorts or reads well.
/// </summary>
internal static class SqlValues
{
    // Relaxed escaping keeps non-ASCII and '+' readable in the sqlite3 CLI; the text never reaches HTML.
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string EmptyObject = "{}";
    private const string EmptyArray = "[]";

    public static object Db(string? value) => value is null ? DBNull.Value : value;

    public static object Db(bool? value) => value is null ? DBNull.Value : value.Value ? 1L : 0L;

    public static object Db(bool value) => value ? 1L : 0L;

    public static string Uuid(Guid value) => value.ToString("D");

    /// <summary>
    /// UTC with 7 fractional digits and a 'Z', always 28 characters, so text order is time order. This is the
    /// round-trip "O" form of a UTC DateTime, which is what <see cref="RawStatement.Timestamp"/> parses.
    /// </summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static object Timestamp(DateTimeOffset? value) => value is null ? DBNull.Value : Timestamp(value.Value);

    public static string Json(JsonObject value) => value.Count == 0 ? EmptyObject : value.ToJsonString(JsonOptions);

    public static string Json(List<string> values)
    {
        if (values.Count == 0) return EmptyArray;
        var array = new JsonArray();
        foreach (var value in values) array.Add(JsonValue.Create(value));
        return array.ToJsonString(JsonOptions);
    }

    public static void Add(this SqliteParameterCollection parameters, string name, object value) =>
        parameters.Add(new SqliteParameter(name, value));
}
