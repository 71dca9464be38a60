using System.Text;
using System.Text.Json.Nodes;

namespace Bifrost.Host.Cli;

/// <summary>Plain-text tables: a header row, a rule, aligned columns. No colours, so the output pipes cleanly.</summary>
internal static class Table
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in all)
            for (var i = 0; i < widths.Length && i < row.Count; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        output.WriteLine(Line(headers, widths));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in all) output.WriteLine(Line(row, widths));
    }

    /// <summary>Field / value pairs, one per line (node show, port show).</summary>
    public static void WriteObject(TextWriter output, JsonObject obj)
    {
        var rows = obj.Where(kv => kv.Key != "links")
            .Select(kv => (IReadOnlyList<string>)[kv.Key, Cell(kv.Value)]);
        Write(output, ["Field", "Value"], rows);
    }

    /// <summary>A JSON value as one table cell: strings bare, null as empty, objects compact.</summary>
    public static string Cell(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s.Replace('\n', ' '),
        _ => value.ToJsonString(),
    };

    private static string Line(IReadOnlyList<string> cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            if (i > 0) sb.Append("  ");
            sb.Append(i == widths.Length - 1 ? cell : cell.PadRight(widths[i]));
        }
        return sb.ToString();
    }
}
