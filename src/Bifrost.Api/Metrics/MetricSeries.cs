using System.Diagnostics.Metrics;

namespace Bifrost.Api.Metrics;

/// <summary>How an instrument is exported: Prometheus has counters, gauges and histograms.</summary>
internal enum MetricKind { Counter, Gauge, Histogram }

/// <summary>
/// Everything recorded for one instrument: one series per label set. Measurement callbacks arrive on any thread, so
/// each series is updated under its own lock (a scrape copies under the same lock).
/// </summary>
internal sealed class InstrumentSeries
{
    // Prometheus' client default buckets (seconds), used when the instrument gives no advice.
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);

    public InstrumentSeries(Instrument instrument, string name, MetricKind kind, bool observable, bool cumulative)
    {
        Instrument = instrument;
        Name = name;
        Kind = kind;
        Observable = observable;
        Cumulative = cumulative;
        Buckets = kind == MetricKind.Histogram ? BucketsOf(instrument) : [];
    }

    public Instrument Instrument { get; }
    /// <summary>The sanitised Prometheus name, without the counter's <c>_total</c>.</summary>
    public string Name { get; }
    public MetricKind Kind { get; }
    /// <summary>Observable instruments report their whole state on each collection; their series are replaced.</summary>
    public bool Observable { get; }
    /// <summary>Counters and up-down counters add measurements; gauges keep the last one.</summary>
    public bool Cumulative { get; }
    public double[] Buckets { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = PrometheusText.Labels(tags);
        Series series;
        lock (_series)
        {
            if (!_series.TryGetValue(labels, out series!))
                _series[labels] = series = new Series(labels, Buckets.Length);
        }
        lock (series)
        {
            if (Kind == MetricKind.Histogram)
            {
                // Cumulative buckets are computed at render time; here each value lands in its first bucket.
                var i = 0;
                while (i < Buckets.Length && value > Buckets[i]) i++;
                series.BucketCounts[i]++;
                series.Count++;
                series.Value += value;
            }
            else if (Cumulative && !Observable) series.Value += value;
            else series.Value = value;
        }
    }

    /// <summary>Before an observable instrument is polled: series it no longer reports must disappear.</summary>
    public void Clear()
    {
        lock (_series) _series.Clear();
    }

    public List<SeriesSnapshot> Snapshot()
    {
        List<Series> all;
        lock (_series) all = [.. _series.Values];
        var result = new List<SeriesSnapshot>(all.Count);
        foreach (var s in all)
            lock (s) result.Add(new SeriesSnapshot(s.Labels, s.Value, s.Count, [.. s.BucketCounts]));
        result.Sort((a, b) => string.CompareOrdinal(a.Labels, b.Labels));
        return result;
    }

    private static double[] BucketsOf(Instrument instrument)
    {
        var advice = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.Select(b => b),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            _ => null,
        };
        var buckets = advice?.Where(double.IsFinite).Distinct().Order().ToArray();
        return buckets is { Length: > 0 } ? buckets : DefaultBuckets;
    }

    private sealed class Series(string labels, int buckets)
    {
        public string Labels { get; } = labels;
        public double Value { get; set; }
        public long Count { get; set; }
        /// <summary>One slot per bound plus the +Inf overflow.</summary>
        public long[] BucketCounts { get; } = new long[buckets + 1];
    }
}

/// <summary>A copy of one series taken for rendering.</summary>
internal sealed record SeriesSnapshot(string Labels, double Value, long Count, long[] BucketCounts);
