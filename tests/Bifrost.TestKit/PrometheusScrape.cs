using System.Globalization;
using System.Text;
using NUnit.Framework;

namespace Bifrost.TestKit;

/// <summary>One sample line: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Name, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Name, out var v) && v == l.Value);
}

/// <summary>A metric family: its TYPE, HELP and samples (for histograms also the _bucket/_sum/_count lines).</summary>
public sealed record PrometheusFamily(string Name, string Type, string? Help, List<PrometheusSample> Samples);

/// <summary>
/// A strict parser of the Prometheus text format 0.0.4, written for the tests independently of Bifrost's writer:
/// every line must parse, a family's TYPE comes before its samples and at most once, a family's samples are
/// contiguous, every sample belongs to a typed family, histogram buckets are cumulative and end with +Inf = _count.
/// Any violation fails the test with the line number.
/// </summary>
public sealed class PrometheusScrape
{
    private PrometheusScrape(Dictionary<string, PrometheusFamily> families) => Families = families;

    public IReadOnlyDictionary<string, PrometheusFamily> Families { get; }

    public IEnumerable<PrometheusSample> Samples => Families.Values.SelectMany(f => f.Samples);

    /// <summary>The value of the one sample named <paramref name="name"/> with these labels (among possibly more), or null.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = Samples.Where(s => s.Name == name && s.Has(labels)).ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0].Value,
            _ => throw new AssertionException($"{matches.Count} samples of {name} match {string.Join(",", labels)}"),
        };
    }

    public static PrometheusScrape Parse(string text)
    {
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        if (lines[^1].Length != 0) Fail(lines.Length, "the exposition must end with a line feed");
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            var number = n + 1;
            if (line.Length == 0) Fail(number, "empty line");
            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var rest = line[7..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0) Fail(number, "HELP/TYPE without a metric name and text");
                var name = rest[..space];
                CheckName(number, name);
                var value = rest[(space + 1)..];
                if (line[2] == 'T')
                {
                    if (value is not ("counter" or "gauge" or "histogram" or "summary" or "untyped")) Fail(number, $"unknown type {value}");
                    if (families.TryGetValue(name, out var f) && f.Samples.Count > 0) Fail(number, $"TYPE of {name} after its samples");
                    if (families.TryGetValue(name, out f) && f.Type != "") Fail(number, $"second TYPE for {name}");
                    families[name] = new PrometheusFamily(name, value, families.GetValueOrDefault(name)?.Help, []);
                }
                else
                {
                    if (families.TryGetValue(name, out var f) && f.Help is not null) Fail(number, $"second HELP for {name}");
                    families[name] = new PrometheusFamily(name, f?.Type ?? "", Unescape(number, value, help: true), f?.Samples ?? []);
                }
                if (current is not null && current != name) closed.Add(current);
                current = name;
                continue;
            }
            if (line.StartsWith('#')) continue; // other comments are allowed
            var sample = ParseSample(number, line);
            var family = FamilyOf(sample.Name, families);
            if (family is null) Fail(number, $"sample {sample.Name} before (or without) the TYPE of its family");
            if (closed.Contains(family!.Name)) Fail(number, $"samples of {family.Name} are not contiguous");
            if (current != family.Name && current is not null) closed.Add(current);
            current = family.Name;
            family.Samples.Add(sample);
        }
        foreach (var f in families.Values.Where(f => f.Type == "histogram")) CheckHistogram(f);
        return new PrometheusScrape(families);
    }

    private static PrometheusFamily? FamilyOf(string sample, Dictionary<string, PrometheusFamily> families)
    {
        if (families.TryGetValue(sample, out var f) && f.Type is "counter" or "gauge" or "untyped") return f;
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
            if (sample.EndsWith(suffix, StringComparison.Ordinal)
                && families.TryGetValue(sample[..^suffix.Length], out f) && f.Type is "histogram" or "summary")
                return f;
        return null;
    }

    private static void CheckHistogram(PrometheusFamily f)
    {
        foreach (var series in f.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal))))
        {
            var buckets = series.Where(s => s.Name == f.Name + "_bucket").ToList();
            if (buckets.Count == 0 || buckets.Any(b => !b.Labels.ContainsKey("le")))
                throw new AssertionException($"histogram {f.Name}{{{series.Key}}}: buckets missing or without le");
            var les = buckets.Select(b => ParseValue(0, b.Labels["le"])).ToList();
            if (!les.SequenceEqual(les.Order()) || !double.IsPositiveInfinity(les[^1]))
                throw new AssertionException($"histogram {f.Name}{{{series.Key}}}: le not ascending or no +Inf bucket");
            for (var i = 1; i < buckets.Count; i++)
                if (buckets[i].Value < buckets[i - 1].Value)
                    throw new AssertionException($"histogram {f.Name}{{{series.Key}}}: buckets not cumulative");
            var count = series.SingleOrDefault(s => s.Name == f.Name + "_count")
                        ?? throw new AssertionException($"histogram {f.Name}{{{series.Key}}}: no _count");
            if (series.All(s => s.Name != f.Name + "_sum")) throw new AssertionException($"histogram {f.Name}{{{series.Key}}}: no _sum");
            if (count.Value != buckets[^1].Value)
                throw new AssertionException($"histogram {f.Name}{{{series.Key}}}: +Inf bucket {buckets[^1].Value} != _count {count.Value}");
        }
    }

    private static PrometheusSample ParseSample(int number, string line)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        CheckName(number, name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i >= line.Length) Fail(number, "unterminated label set");
                if (line[i] == '}') { i++; break; }
                var eq = line.IndexOf('=', i);
                if (eq < 0) Fail(number, "label without '='");
                var label = line[i..eq];
                if (label.Length == 0 || !(char.IsAsciiLetter(label[0]) || label[0] == '_') || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    Fail(number, $"bad label name '{label}'");
                if (eq + 1 >= line.Length || line[eq + 1] != '"') Fail(number, "label value must be quoted");
                var sb = new StringBuilder();
                var j = eq + 2;
                for (; j < line.Length && line[j] != '"'; j++)
                {
                    if (line[j] != '\\') { sb.Append(line[j]); continue; }
                    if (++j >= line.Length) Fail(number, "dangling backslash");
                    sb.Append(line[j] switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => Fail<char>(number, $"bad escape \\{line[j]}") });
                }
                if (j >= line.Length) Fail(number, "unterminated label value");
                if (!labels.TryAdd(label, sb.ToString())) Fail(number, $"label {label} twice");
                i = j + 1;
                if (i < line.Length && line[i] == ',') i++;
                else if (i < line.Length && line[i] != '}') Fail(number, "expected ',' or '}' after a label");
            }
        }
        if (i >= line.Length || line[i] != ' ') Fail(number, "expected one space before the value");
        var parts = line[(i + 1)..].Split(' ');
        if (parts.Length is < 1 or > 2 || parts.Any(p => p.Length == 0)) Fail(number, "expected 'value [timestamp]'");
        if (parts.Length == 2 && !long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            Fail(number, "bad timestamp");
        return new PrometheusSample(name, labels, ParseValue(number, parts[0]));
    }

    private static double ParseValue(int number, string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : Fail<double>(number, $"bad value '{text}'"),
    };

    private static void CheckName(int number, string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or ':')
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
            Fail(number, $"bad metric name '{name}'");
    }

    private static string Unescape(int number, string text, bool help)
    {
        var sb = new StringBuilder();
        for (var j = 0; j < text.Length; j++)
        {
            if (text[j] != '\\') { sb.Append(text[j]); continue; }
            if (++j >= text.Length) Fail(number, "dangling backslash");
            sb.Append(text[j] switch { '\\' => '\\', 'n' => '\n', '"' when !help => '"', _ => Fail<char>(number, $"bad escape \\{text[j]}") });
        }
        return sb.ToString();
    }

    private static void Fail(int line, string why) => throw new AssertionException($"/metrics line {line}: {why}");

    private static T Fail<T>(int line, string why) => throw new AssertionException($"/metrics line {line}: {why}");
}
