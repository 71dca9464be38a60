using System.Globalization;
using System.Text;

namespace Bifrost.Api.Metrics;

/// <summary>
/// The Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats): HELP and TYPE
/// before a metric's samples, one sample per line, label values escaped. Pure: strings in, strings out.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; anything else (dots, dashes) becomes '_'.</summary>
    public static string MetricName(string name) => Sanitise(name, allowColon: true);

    /// <summary>Label names match [a-zA-Z_][a-zA-Z0-9_]*; names starting "__" are reserved, so one '_' is dropped.</summary>
    public static string LabelName(string name)
    {
        var s = Sanitise(name, allowColon: false);
        return s.StartsWith("__", StringComparison.Ordinal) ? s[1..] : s;
    }

    private static string Sanitise(string name, bool allowColon)
    {
        if (name.Length == 0) return "_";
        var sb = new StringBuilder(name.Length + 1);
        if (char.IsAsciiDigit(name[0])) sb.Append('_');
        foreach (var c in name)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        return sb.ToString();
    }

    /// <summary>The label part of a sample, <c>a="x",b="y"</c>, sorted by name so one label set is one key.</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var t in tags)
            pairs.Add((LabelName(t.Key), Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? ""));
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var sb = new StringBuilder();
        string? previous = null;
        foreach (var (name, value) in pairs)
        {
            if (name == previous) continue; // two tags sanitised to one name: the first wins, a duplicate is invalid
            if (sb.Length > 0) sb.Append(',');
            sb.Append(name).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
            previous = name;
        }
        return sb.ToString();
    }

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>HELP text escapes backslash and line feed (not quotes).</summary>
    public static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Writes every instrument's family. Families sharing one exported name are written once (the first).</summary>
    public static void Write(StringBuilder sb, IEnumerable<InstrumentSeries> instruments)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in instruments.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var family = i.Kind == MetricKind.Counter && !i.Name.EndsWith("_total", StringComparison.Ordinal)
                ? i.Name + "_total"
                : i.Name;
            if (!written.Add(family)) continue;
            var help = string.IsNullOrEmpty(i.Instrument.Description)
                ? $"{i.Instrument.Name} from meter {i.Instrument.Meter.Name}"
                : i.Instrument.Description;
            sb.Append("# HELP ").Append(family).Append(' ').Append(EscapeHelp(help)).Append('\n');
            sb.Append("# TYPE ").Append(family).Append(' ').Append(i.Kind switch
            {
                MetricKind.Counter => "counter",
                MetricKind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');
            foreach (var s in i.Snapshot())
            {
                if (i.Kind != MetricKind.Histogram)
                {
                    Sample(sb, family, s.Labels, null, Number(s.Value));
                    continue;
                }
                long cumulative = 0;
                for (var b = 0; b < i.Buckets.Length; b++)
                {
                    cumulative += s.BucketCounts[b];
                    Sample(sb, family + "_bucket", s.Labels, Number(i.Buckets[b]), Number(cumulative));
                }
                Sample(sb, family + "_bucket", s.Labels, "+Inf", Number(s.Count));
                Sample(sb, family + "_sum", s.Labels, null, Number(s.Value));
                Sample(sb, family + "_count", s.Labels, null, Number(s.Count));
            }
        }
    }

    private static void Sample(StringBuilder sb, string name, string labels, string? le, string value)
    {
        sb.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            sb.Append('{').Append(labels);
            if (le is not null) sb.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            sb.Append('}');
        }
        sb.Append(' ').Append(value).Append('\n');
    }
}
